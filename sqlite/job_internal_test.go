package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

// queryPlan returns the details of EXPLAIN QUERY PLAN of query, joined.
func queryPlan(t testing.TB, db *DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

// TestClaimPlan: a claim reads each kind's earliest due jobs in order
// through jobs_due, not every due job of the kind to sort them, and
// claims by the primary key (the conformance test ClaimJobs checks what
// it claims).
func TestClaimPlan(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "opencube.db"), seal.Demo())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if plan := queryPlan(t, db, qDueJobs.query, opencube.JobDeliver, 0, 8); !strings.Contains(plan, "USING INDEX jobs_due (kind=? AND run_at<?)") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("due jobs' plan: %s", plan)
	}
	if plan := queryPlan(t, db, qClaimJobs.query, "w", 0, `["a"]`); !strings.Contains(plan, "USING PRIMARY KEY (id=?)") || strings.Contains(plan, "SCAN jobs") {
		t.Errorf("claim's plan: %s", plan)
	}

}
