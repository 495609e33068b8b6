package sqlite_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/operator"
)

// TestAuditAppendOnly: the database itself refuses to change or delete an
// audit entry, whatever writes to it.
func TestAuditAppendOnly(t *testing.T) {
	db, path := openPath(t)
	e := &operator.AuditEntry{At: time.Now(), Actor: "ops", ActorKind: operator.ActorToken, Route: "POST /admin/v1/plans", Object: "plan:X", Summary: "{}"}
	if err := db.AppendAudit(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`UPDATE audit SET actor = 'someone else'`, `DELETE FROM audit`} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "audit entries are never") {
			t.Errorf("%s: %v; want refused", q, err)
		}
	}
	l, err := db.ListAudit(t.Context(), operator.AuditQuery{})
	if err != nil || len(l.Items) != 1 || l.Items[0].Actor != "ops" {
		t.Errorf("after the refusals: %+v, %v", l, err)
	}
}
