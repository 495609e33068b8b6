package admin

import (
	"context"
	"net/http"

	"github.com/opencube/opencube"
)

// SMSAdmin is the operator's view of SMS: MO messages injected as if a
// SIM had sent them, and the sandbox device's failure modes.
type SMSAdmin interface {
	// ReceiveMO records an MO message from r.From (an ICCID or MSISDN).
	ReceiveMO(ctx context.Context, r opencube.MORequest) (*opencube.SMS, error)
	// SetSandboxGateway sets the sandbox device's failure modes and
	// returns them; KindNotFound when the gateway is not the sandbox.
	SetSandboxGateway(ctx context.Context, g SandboxGateway) (*SandboxGateway, error)
}

// MORequest is an MO message to inject: text, or binary content as hex
// with data_coding 1.
type MORequest struct {
	Content    string `json:"content"`
	DataCoding int    `json:"data_coding,omitempty"`
}

// SandboxGateway is the sandbox SMS device's failure modes: Down makes
// every hand-over fail (messages stay queued and are retried),
// FailDeliveries makes the device report the messages it takes as failed.
type SandboxGateway struct {
	Down           bool `json:"down"`
	FailDeliveries bool `json:"fail_deliveries"`
}

func (s *Server) sms() (SMSAdmin, error) {
	if s.SMS == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "SMS is not served"}
	}
	return s.SMS, nil
}

func (s *Server) injectMO(r *http.Request) (int, any, error) {
	svc, err := s.sms()
	if err != nil {
		return 0, nil, err
	}
	var req MORequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.DataCoding != 0 && req.DataCoding != 1 {
		return 0, nil, opencube.Invalid("data_coding", "data_coding must be 0 (text) or 1 (binary hex)")
	}
	m, err := svc.ReceiveMO(r.Context(), opencube.MORequest{
		From: r.PathValue("iccid"), Content: req.Content, Type: opencube.SMSType(req.DataCoding),
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, m, nil
}

func (s *Server) putSandboxGateway(r *http.Request) (int, any, error) {
	svc, err := s.sms()
	if err != nil {
		return 0, nil, err
	}
	var req SandboxGateway
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	g, err := svc.SetSandboxGateway(r.Context(), req)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, g, nil
}
