package admin

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
)

// Error kinds of the admin API itself, beside the domain kinds of
// opencube.Error. They travel in the "kind" of an error response.
const (
	KindUnauthorized opencube.Kind = "unauthorized" // 401: missing or wrong bearer token
	KindDisabled     opencube.Kind = "disabled"     // 403: the server has no admin token
	KindNoRoute      opencube.Kind = "no_route"     // 404: no such endpoint
	KindTooLarge     opencube.Kind = "too_large"    // 413: body over the limit
	KindMediaType    opencube.Kind = "media_type"   // 415: Content-Type not accepted
)

// HTTPStatus is the one mapping of error kinds to HTTP statuses.
func HTTPStatus(k opencube.Kind) int {
	switch k {
	case opencube.KindInvalid:
		return http.StatusBadRequest
	// Unknown enterprises are KindUnauthenticated in the domain, and an
	// unknown plan is KindPlanNotOrderable: to an operator both are missing
	// resources.
	case opencube.KindUnauthenticated, opencube.KindDeviceNotFound, opencube.KindPlanNotOrderable,
		opencube.KindOrderNotFound, KindNoRoute, opencube.KindNotFound:
		return http.StatusNotFound
	case opencube.KindConflict, opencube.KindSIMState, opencube.KindOrderState, // a profile's state, too
		opencube.KindOTA, opencube.KindBulkRejected, opencube.KindQuota, opencube.KindSoldOut,
		opencube.KindSMSDailyLimit:
		return http.StatusConflict
	case opencube.KindSMSTooLong, opencube.KindPriceMismatch:
		return http.StatusUnprocessableEntity
	case opencube.KindSMSNotFound:
		return http.StatusNotFound
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindDisabled, KindForbidden:
		return http.StatusForbidden
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindMediaType:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusInternalServerError
}

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody describes one error: its kind (an opencube.Kind or one of this
// package's kinds), the offending field for invalid input, the rule that
// failed when the domain names one (opencube.Cause: "order_status",
// "sim_suspended"), and a message, which says the same in English.
type ErrorBody struct {
	Kind    opencube.Kind  `json:"kind"`
	Field   string         `json:"field,omitempty"`
	Cause   opencube.Cause `json:"cause,omitempty"`
	Message string         `json:"message"`
}

// writeError answers err as an ErrorResponse with its kind's status: a
// body over its limit is too_large (and its connection closed); an error
// without a domain kind, or of kind internal, is answered as internal.
// Every error answer is logged once, with the request's context (so with
// its request id): a client's error at info with the answer's message, an
// internal one at error with its cause.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *opencube.Error
	var tooLarge *http.MaxBytesError
	internal := false
	switch {
	case errors.As(err, &tooLarge):
		e = &opencube.Error{Kind: KindTooLarge, Message: fmt.Sprintf("request body exceeds %d bytes", tooLarge.Limit)}
		// The rest of the body is not read (http.MaxBytesReader would say
		// so, but not through a writer that wraps this one).
		w.Header().Set("Connection", "close")
	case errors.As(err, &e) && e.Kind != opencube.KindInternal && e.Kind != "":
	default:
		internal = true
		e = &opencube.Error{Kind: opencube.KindInternal, Message: "internal error"}
	}
	status := HTTPStatus(e.Kind)
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if internal {
		logger.ErrorContext(r.Context(), "admin request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	} else {
		logger.InfoContext(r.Context(), "admin error answer", "method", r.Method, "path", r.URL.Path, "status", status,
			"kind", string(e.Kind), "field", e.Field, "message", e.Message)
	}
	if e.Kind == KindUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="opencube admin"`)
	}
	metrics.SetCode(w, string(e.Kind))
	writeJSON(w, status, ErrorResponse{Error: ErrorBody{Kind: e.Kind, Field: e.Field, Cause: e.Cause, Message: e.Message}})
}
