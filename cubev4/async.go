package cubev4

import (
	"context"
	"net/http"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// SIM operations of asynchronous requests (service.SIMRequests).
const (
	OpActivate = "activate"
	OpSuspend  = "suspend"
	OpResume   = "resume"
	OpCancel   = "cancel"
	OpReset    = "reset"
	OpLock     = "network_lock"
)

// Requests runs asynchronous SIM operations (service.SIMRequests).
type Requests interface {
	// Start records a processing request, its job and claim's replay
	// entries with answer in one transaction; KindSIMState with
	// CauseSIMLocked when the SIM has one processing,
	// opencube.ErrReplayed when claim's request was answered before.
	Start(ctx context.Context, r *operator.SIMRequest, claim *opencube.ReplayClaim, answer []byte) error
	// StartLock writes a SIM's lock and starts r, which ends its data
	// sessions, in one transaction with claim's entries.
	StartLock(ctx context.Context, r *operator.SIMRequest, l *operator.SIMLock, claim *opencube.ReplayClaim, answer []byte) error
	// OrderAndStart orders a plan for a SIM and starts r, the activation
	// of that order, in one transaction with claim's entries, answered by
	// render(the order).
	OrderAndStart(ctx context.Context, or opencube.OrderRequest, r *operator.SIMRequest, claim *opencube.ReplayClaim, render func(*opencube.Order) []byte) (*opencube.Order, error)
	// Find returns one of the enterprise's requests; KindNotFound when
	// unknown.
	Find(ctx context.Context, id string) (*operator.SIMRequest, error)
	// Locked reports whether the SIM has an operation processing.
	Locked(ctx context.Context, iccid string) (bool, error)
}

// pending reports whether an operation on the SIM is being processed.
func (s *Server) pending(ctx context.Context, iccid string) (bool, error) {
	if s.Requests == nil {
		return false, nil
	}
	return s.Requests.Locked(ctx, iccid)
}

// startAsync starts an asynchronous operation on a SIM under request id;
// the request's replay entry, with the answer data, is recorded in the
// transaction that writes the request and its job (D28).
func (s *Server) startAsync(r *request, id, iccid, op, orderID string, keepAlive bool, data any) error {
	if s.Requests == nil {
		return fail(CodeBusy, "asynchronous operations are not served")
	}
	return s.Requests.Start(r.ctx, &operator.SIMRequest{ID: id, ICCID: iccid, Operation: op, OrderID: orderID, KeepAlive: keepAlive},
		r.claim, recorded(http.StatusOK, encode(r.data(data), nil, CodeOK, r.lang, "")))
}

// newRequestID returns a new request id.
func newRequestID() string { return opencube.NewUUID() }

// RequestAnswer is the data of an asynchronous operation's acceptance.
type RequestAnswer struct {
	RequestID string `json:"request_id"`
}

// CancelRequest is PUT /sims/{sim_id}/cancel's body (optional).
type CancelRequest struct {
	// OrderID ends only that bundle (the order_id of add bundle); without
	// it every bundle of the SIM ends.
	OrderID string `json:"order_id,omitempty"`
	// KeepAlive, with OrderID, starts the next bundle not started.
	KeepAlive bool `json:"keep_alive,omitempty"`
}

// operate checks that the SIM's state allows op and starts it.
func (s *Server) operate(r *request, op string) (*answer, error) {
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	var req CancelRequest
	var lock NetworkLockRequest
	if op == OpLock {
		if err := decodeBody(r, &lock); err != nil {
			return nil, err
		}
		switch {
		case lock.IMEI != "" && !opencube.Digits(lock.IMEI, 15, 15):
			return nil, opencube.MustBe("imei", "15 digits, or \"\" for no device lock")
		case (lock.MCC == "") != (lock.MNC == ""):
			return nil, fail(CodeMissing, "mcc and mnc go together")
		case lock.MCC != "" && !opencube.Digits(lock.MCC, 3, 3):
			return nil, opencube.MustBe("mcc", "3 digits")
		case lock.MNC != "" && !opencube.Digits(lock.MNC, 2, 3):
			return nil, opencube.MustBe("mnc", "2 or 3 digits")
		}
	}
	if op == OpCancel && len(r.body) > 0 {
		if err := decodeBody(r, &req); err != nil {
			return nil, err
		}
		if req.KeepAlive && req.OrderID == "" {
			return nil, fail(CodeMissing, "keep_alive needs order_id")
		}
	}
	if d.SIM.OTA {
		return nil, opencube.Errorf(opencube.KindOTA, "not for OTA SIMs")
	}
	st, err := s.statusOf(r.ctx, d)
	if err != nil {
		return nil, err
	}
	if st == StatusTerminated {
		return nil, opencube.Errorf(opencube.KindSIMState, "the SIM is terminated").Because(opencube.CauseSIMTerminated)
	}
	locked, err := s.pending(r.ctx, d.SIM.ICCID)
	if err != nil {
		return nil, err
	}
	if locked {
		return nil, opencube.Errorf(opencube.KindSIMState, "an operation on the SIM is pending").Because(opencube.CauseSIMLocked)
	}
	switch op {
	case OpActivate:
		if st == StatusActive {
			return nil, fail(CodeAlreadyActive, "the SIM has a bundle in use")
		}
		if st != StatusPreActive && st != StatusExpired {
			return nil, fail(CodeStatus, "the SIM is not pre-active")
		}
		os, _, err := s.Plans.FindOrders(r.ctx, opencube.OrderFilter{ICCID: d.SIM.ICCID, Status: opencube.OrderNotEnabled, Page: opencube.Page{Limit: 1}})
		if err != nil {
			return nil, err
		}
		if len(os) == 0 {
			return nil, fail(CodeNoBundle, "the SIM has no bundle not started")
		}
	case OpSuspend:
		if st != StatusActive {
			return nil, fail(CodeStatus, "only an active SIM is suspended")
		}
	case OpResume:
		if st != StatusPaused || d.Order == nil {
			return nil, fail(CodeStatus, "only a SIM whose bundle is paused is resumed")
		}
	case OpCancel:
		if req.OrderID != "" {
			os, _, err := s.Plans.FindOrders(r.ctx, opencube.OrderFilter{ICCID: d.SIM.ICCID, OrderID: req.OrderID, Page: opencube.Page{Limit: 1}})
			if err != nil {
				return nil, err
			}
			if len(os) == 0 {
				return nil, fail(CodeOrderNotFound, "the SIM has no order %s", req.OrderID)
			}
		}
	}
	id := newRequestID()
	data := RequestAnswer{RequestID: id}
	if op == OpLock {
		if s.Requests == nil {
			return nil, fail(CodeBusy, "asynchronous operations are not served")
		}
		err := s.Requests.StartLock(r.ctx, &operator.SIMRequest{ID: id, ICCID: d.SIM.ICCID, Operation: op},
			&operator.SIMLock{IMEI: lock.IMEI, Network: lock.MCC + lock.MNC}, r.claim, recorded(http.StatusOK, encode(data, nil, CodeOK, r.lang, "")))
		if err != nil {
			return nil, err
		}
		return &answer{data: data}, nil
	}
	if err := s.startAsync(r, id, d.SIM.ICCID, op, req.OrderID, req.KeepAlive, data); err != nil {
		return nil, err
	}
	return &answer{data: data}, nil
}

func (s *Server) activate(r *request) (*answer, error) { return s.operate(r, OpActivate) }
func (s *Server) suspend(r *request) (*answer, error)  { return s.operate(r, OpSuspend) }
func (s *Server) resume(r *request) (*answer, error)   { return s.operate(r, OpResume) }
func (s *Server) cancel(r *request) (*answer, error)   { return s.operate(r, OpCancel) }
func (s *Server) reset(r *request) (*answer, error)    { return s.operate(r, OpReset) }
func (s *Server) netLock(r *request) (*answer, error)  { return s.operate(r, OpLock) }

// NetworkLockRequest is PUT /sims/{sim_id}/network_lock's body: the whole
// lock of the SIM. RADIUS authorization then refuses the SIM in another
// device than IMEI, or on another network than MCC and MNC; an empty
// field locks nothing, so {} unlocks the SIM.
type NetworkLockRequest struct {
	// IMEI is the one device the SIM may attach from (15 digits).
	IMEI string `json:"imei,omitempty"`
	// MCC and MNC are the one network the SIM may attach on.
	MCC string `json:"mcc,omitempty"`
	MNC string `json:"mnc,omitempty"`
}

// AsyncResult is GET /sims/async_result/{request_id}'s data.
type AsyncResult struct {
	RequestID  string      `json:"request_id"`
	SIMID      string      `json:"sim_id"`
	Operation  string      `json:"operation"`
	Status     int         `json:"status"` // 0 processing, 1 success, 2 failed
	Error      *AsyncError `json:"error"`
	CreatedAt  int64       `json:"created_at"`
	FinishedAt *int64      `json:"finished_at"`
}

// AsyncError is why an asynchronous operation failed: its code and
// message.
type AsyncError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// asyncResult is GET /sims/async_result/{request_id}.
func (s *Server) asyncResult(r *request) (*answer, error) {
	if s.Requests == nil {
		return nil, fail(CodeAsyncNotFound, "no such request")
	}
	q, err := s.Requests.Find(r.ctx, r.PathValue("request_id"))
	if err != nil {
		return nil, err
	}
	out := AsyncResult{RequestID: q.ID, SIMID: q.ICCID, Operation: q.Operation, Status: int(q.Status), CreatedAt: ms(q.CreatedAt), FinishedAt: msPtr(q.FinishedAt)}
	if q.Status == operator.SIMRequestFailed {
		code := CodeOf(&opencube.Error{Kind: q.ErrorKind, Cause: q.ErrorCause})
		out.Error = &AsyncError{Code: code, Message: Message(code, r.lang) + ": " + q.ErrorMessage}
	}
	return &answer{data: out}, nil
}
