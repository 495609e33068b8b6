package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/operator"
)

// TestAuditAppendOnly: the database itself refuses to change or delete an
// audit entry, whatever writes to it.
func TestAuditAppendOnly(t *testing.T) {
	db := open(t)
	e := &operator.AuditEntry{At: time.Now(), Actor: "ops", ActorKind: operator.ActorToken, Route: "POST /admin/v1/plans", Object: "plan:X", Summary: "{}"}
	if err := db.AppendAudit(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit SET actor = 'someone else'`, `DELETE FROM audit`} {
		if _, err := db.pool.Exec(t.Context(), q); err == nil || !strings.Contains(err.Error(), "audit entries are never") {
			t.Errorf("%s: %v; want refused", q, err)
		}
	}
	l, err := db.ListAudit(t.Context(), operator.AuditQuery{})
	if err != nil || len(l.Items) != 1 || l.Items[0].Actor != "ops" {
		t.Errorf("after the refusals: %+v, %v", l, err)
	}
}
