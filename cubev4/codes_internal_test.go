package cubev4

import (
	"errors"
	"net/http"
	"testing"

	"github.com/opencube/opencube"
)

// TestCodeTable: every code a kind or cause maps to is in the table with
// both messages; CB-01-0006 is never sent (D17); business refusals are
// HTTP 200 and input errors 400.
func TestCodeTable(t *testing.T) {
	for k, c := range kindCodes {
		if _, ok := codes[c]; !ok {
			t.Errorf("kind %s: code %s not in the table", k, c)
		}
	}
	for cause, c := range causeCodes {
		if _, ok := codes[c]; !ok {
			t.Errorf("cause %s: code %s not in the table", cause, c)
		}
	}
	for c, info := range codes {
		if info.en == "" || info.zh == "" || info.status == 0 {
			t.Errorf("code %s: %+v", c, info)
		}
	}
	if _, ok := codes["CB-01-0006"]; ok {
		t.Error("CB-01-0006 is in the table: another enterprise's SIM must answer as a missing one")
	}
	for _, tt := range []struct {
		err    error
		code   string
		status int
	}{
		{opencube.Errorf(opencube.KindDeviceNotFound, "x"), CodeSIMNotFound, http.StatusOK},
		{opencube.Invalid("f", "x"), CodeInvalid, http.StatusBadRequest},
		{opencube.Errorf(opencube.KindSIMState, "x").Because(opencube.CauseSIMLocked), CodePending, http.StatusOK},
		{opencube.Errorf(opencube.KindSIMState, "x").Because(opencube.CauseSIMTerminated), CodeEnded, http.StatusOK},
		{opencube.Errorf(opencube.KindPlanNotOrderable, "x").Because(opencube.CauseOTAPlan), CodeIncompatible, http.StatusOK},
		{errors.New("boom"), CodeInternal, http.StatusInternalServerError},
	} {
		if c := CodeOf(tt.err); c != tt.code || Status(c) != tt.status {
			t.Errorf("CodeOf(%v) = %s (HTTP %d), want %s (HTTP %d)", tt.err, c, Status(c), tt.code, tt.status)
		}
	}
	if Message(CodeOK, LangZH) != "成功" || Message(CodeOK, ParseLang("en-US,zh")) != "Success" || ParseLang("zh-CH") != LangZH || ParseLang("") != LangEN {
		t.Error("languages")
	}
}
