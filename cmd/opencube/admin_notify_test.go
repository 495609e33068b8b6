package main

import (
	"strings"
	"testing"
	"time"
)

// TestAdminNotifyCLI: the webhook, delivery, alert and clock commands of
// `opencube admin`, against a sandbox (demo) server.
func TestAdminNotifyCLI(t *testing.T) {
	s := startNotifyServer(t, e2eDatabase(t), &e2eClock{now: clockStart})
	r := newReceiver(t, 0)
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := adminRun(t, s.m, "", args...)
		if err != nil {
			t.Fatalf("admin %s: %v (%s)", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	if out := run("webhook", "set", "--access-code", entP, "--url", r.srv.URL, "--events", "1000,1005"); !strings.Contains(out, "secret (shown once): whsec_") {
		t.Errorf("webhook set: %q", out)
	}
	if out := run("webhook", "show", entP); !strings.Contains(out, "events 1000,1005, healthy") || strings.Contains(out, "whsec_") {
		t.Errorf("webhook show: %q", out)
	}
	if out := run("webhook", "rotate", "--access-code", entP, "--grace", "1h"); !strings.Contains(out, "new secret (shown once): whsec_") {
		t.Errorf("webhook rotate: %q", out)
	}
	// An empty list says so, in words or as JSON.
	for args, want := range map[string]string{
		"deliveries list --access-code " + entP:                                                  "no deliveries of P000270\n",
		"deliveries list --access-code " + entP + " --state failed --since 2024-01-31T00:00:00Z": "no deliveries of P000270 in state failed, since 2024-01-31T00:00:00Z\n",
		"--json deliveries list --access-code " + entP:                                           "[]\n",
	} {
		if out := run(strings.Fields(args)...); out != want {
			t.Errorf("%s: %q, want %q", args, out, want)
		}
	}
	s.mustOrder(t, s.p, planMonthly.order(simP(0), true))
	r.next(t)
	r.next(t)
	var list string
	for !strings.Contains(list, "1005") || strings.Count(list, "delivered") != 2 {
		list = run("deliveries", "list", "--access-code", entP)
		runtimeGosched()
	}
	id := strings.Fields(list)[0]
	if out := run("--get", "0.id", "deliveries", "list", "--access-code", entP); out != id+"\n" {
		t.Errorf("--get 0.id: %q, want %s", out, id)
	}
	if out := run("deliveries", "redeliver", id); !strings.Contains(out, "pending again") {
		t.Errorf("redeliver: %q", out)
	}
	r.next(t)
	if out := run("deliveries", "redeliver-since", "--access-code", entP, "--since", "2024-01-31T00:00:00+08:00"); out != "2 deliveries pending again\n" {
		t.Errorf("redeliver-since: %q", out)
	}
	r.next(t)
	r.next(t)
	if out := run("alerts", "set", "--access-code", entP, "--percents", "50,90", "--days", "7"); !strings.Contains(out, "[50 90] % of volume, 7 days") {
		t.Errorf("alerts set: %q", out)
	}
	if out := run("alerts", "show", entP); !strings.Contains(out, "[50 90] % of volume, 7 days") {
		t.Errorf("alerts show: %q", out)
	}
	if out := run("clock", "advance", "48h"); !strings.Contains(out, "(172800s ahead)") {
		t.Errorf("clock advance: %q", out)
	}
	if out := run("clock", "advance", "60"); !strings.Contains(out, "(172860s ahead)") {
		t.Errorf("clock advance: %q", out)
	}
	if out := run("clock", "advance", "1d"); !strings.Contains(out, "(259260s ahead)") {
		t.Errorf("clock advance 1d: %q", out)
	}
	if out := run("clock", "show"); !strings.Contains(out, "2024-02-03T") || !strings.Contains(out, "(259260s ahead)") {
		t.Errorf("clock show: %q", out)
	}
}

// TestParseAdvance: clock advance takes seconds, Go durations and days.
func TestParseAdvance(t *testing.T) {
	for arg, want := range map[string]time.Duration{
		"86400": 24 * time.Hour, "48h": 48 * time.Hour, "90m": 90 * time.Minute, "8d": 8 * 24 * time.Hour,
		"1d12h": 36 * time.Hour, "0d": 0, "-60": -time.Minute,
	} {
		if got, err := parseAdvance(arg); err != nil || got != want {
			t.Errorf("parseAdvance(%q) = %v, %v; want %v", arg, got, err, want)
		}
	}
	for _, arg := range []string{"", "d", "xd", "8days", "1d-2h", "-1d", "eight"} {
		if got, err := parseAdvance(arg); err == nil {
			t.Errorf("parseAdvance(%q) = %v, want an error", arg, got)
		}
	}
}
