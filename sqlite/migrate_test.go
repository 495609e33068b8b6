package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/sqlite"
)

// TestMigrateEventSeq: migration 8 moves a SIM's last event number from
// sim_event_seqs to its events; numbering carries on where it stood, and
// going back down restores the table with the numbers reached since.
func TestMigrateEventSeq(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "opencube.db")
	if err := sqlite.MigrateTo(ctx, path, 7); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Three events of SIM A, numbered as version 7 numbered them.
	for seq := 1; seq <= 3; seq++ {
		exec(`INSERT INTO events (id, enterprise_code, type, order_id, iccid, status, created_at, sim_seq)
			VALUES (?, 'ent', '1002', 'o', 'A', 1, 0, ?)`, "ev"+string(rune('0'+seq)), seq)
	}
	exec(`INSERT INTO sim_event_seqs (iccid, seq) VALUES ('A', 3)`)

	db, err := sqlite.Open(ctx, path, seal.Demo()) // migrates to the newest version
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "ent", Name: "E", Secrets: []string{"12345678"}}); err != nil {
		t.Fatal(err)
	}
	err = db.UpdateOrders(ctx, func(tx opencube.OrderTx) error {
		for _, e := range []struct{ id, iccid string }{{"a4", "A"}, {"b1", "B"}, {"a5", "A"}} {
			ev := &opencube.Event{ID: e.id, EnterpriseCode: "ent", Type: opencube.EventCreateOrder, OrderID: "o", ICCID: e.iccid,
				Status: opencube.OrderNotEnabled, CreatedAt: time.Unix(1, 0)}
			if err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"a4": 4, "b1": 1, "a5": 5} {
		var got int
		if err := raw.QueryRow(`SELECT sim_seq FROM events WHERE id = ?`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("event %s numbered %d, want %d", id, got, want)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	if err := sqlite.MigrateTo(ctx, path, 7); err != nil {
		t.Fatalf("down to 7: %v", err)
	}
	got := map[string]int{}
	rows, err := raw.Query(`SELECT iccid, seq FROM sim_event_seqs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var iccid string
		var seq int
		if err := rows.Scan(&iccid, &seq); err != nil {
			t.Fatal(err)
		}
		got[iccid] = seq
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got["A"] != 5 || got["B"] != 1 || len(got) != 2 {
		t.Errorf("sim_event_seqs after going down = %v, want A 5, B 1", got)
	}
}
