package main

import (
	"fmt"
	"strings"

	"github.com/opencube/opencube/operator"
)

func (c *adminCLI) hlrStatus(args []string) error {
	if err := parse(c.flags("hlr status"), args, 0); err != nil {
		return err
	}
	st, err := c.admin.HLRStatus(c.ctx)
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(st, "")
	}
	var b strings.Builder
	if st.Register == "" {
		b.WriteString("provisioning is off (serve --hlr)\n")
	} else {
		fmt.Fprintf(&b, "register %s: %d SIM(s) pending, %d failed\n", st.Register, st.Pending, st.Failed)
	}
	if r := st.Last; r != nil {
		b.WriteString("last reconciliation: ")
		writeReport(&b, r)
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

func (c *adminCLI) hlrReconcile(args []string) error {
	if err := parse(c.flags("hlr reconcile"), args, 0); err != nil {
		return err
	}
	r, err := c.admin.ReconcileHLR(c.ctx)
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(r, "")
	}
	var b strings.Builder
	writeReport(&b, r)
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

// writeReport writes a reconciliation's report, a line and its lists.
func writeReport(b *strings.Builder, r *operator.HLRReport) {
	fmt.Fprintf(b, "%s at %s: %d SIMs, %d subscribers; %d missing, %d drifted, %d stale, %d unknown; %d repaired, %d failed\n",
		r.Trigger, when(r.FinishedAt), r.SIMs, r.Subscribers, r.MissingCount, r.DriftedCount, r.StaleCount, r.UnknownCount, r.Repaired, r.FailedCount)
	for _, l := range []struct {
		name  string
		items []string
	}{{"missing", r.Missing}, {"drifted", r.Drifted}, {"stale", r.Stale}, {"unknown", r.Unknown}, {"failed", r.Failed}} {
		if len(l.items) > 0 {
			fmt.Fprintf(b, "  %s: %s\n", l.name, strings.Join(l.items, ", "))
		}
	}
	if r.Error != "" {
		fmt.Fprintf(b, "  stopped: %s\n", r.Error)
	}
}
