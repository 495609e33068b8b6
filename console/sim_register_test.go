package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// TestSIMRegister: a SIM's page shows its standing in the subscriber
// register, with the register's answer when it refused the SIM; none when
// the SIM was never provisioned.
func TestSIMRegister(t *testing.T) {
	f := newConsole(t, nil)
	c := f.browser(t)
	if status, _ := f.signIn(t, c, "admin", service.DemoSecret); status != 303 {
		t.Fatalf("sign-in: %d", status)
	}
	const iccid = "89852022018041800192"
	_, body, _ := get(t, c, f.srv.URL+"/console/sims/"+iccid)
	if strings.Contains(body, "Network register") {
		t.Errorf("a SIM never provisioned shows a register state:\n%s", body)
	}
	err := f.svc.Lists.Store.(operator.ProvisionStore).SetProvisioning(t.Context(), &operator.Provisioning{ICCID: iccid, State: operator.ProvisionFailed,
		IMSI: "454008041800192", LastError: "hlr refused subscriber.create 454008041800192: Invalid IMSI value.", UpdatedAt: time.Now()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ = get(t, c, f.srv.URL+"/console/sims/"+iccid)
	for _, want := range []string{"Network register", "Refused by the register", "Invalid IMSI value."} {
		if !strings.Contains(body, want) {
			t.Errorf("the SIM page lacks %q", want)
		}
	}
}
