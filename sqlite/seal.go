package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/opencube/opencube/seal"
)

var _ seal.Store = (*DB)(nil)

// openBox opens the data keys of db with its master keys (seal.Open), on a
// connection of its own, as Migrate does, before the writer starts.
func (db *DB) openBox(ctx context.Context) error {
	conn, err := sql.Open("sqlite", dsn(db.path, true))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if db.box, err = seal.Open(ctx, slotStore{conn}, db.masters); err != nil {
		return fmt.Errorf("sqlite: %s: %w", db.path, err)
	}
	return nil
}

// slotStore keeps the data keys of a database for seal.Open.
type slotStore struct{ conn *sql.DB }

// Slots implements seal.SlotStore.
func (s slotStore) Slots(ctx context.Context) ([]seal.Slot, error) {
	return readSlots(s.conn.QueryContext(ctx, `SELECT id, slots FROM data_keys ORDER BY id`))
}

// readSlots reads the rows of a query of data_keys' id and slots.
func readSlots(rows *sql.Rows, err error) ([]seal.Slot, error) {
	if err != nil {
		return nil, dbError("read data keys", err)
	}
	defer rows.Close()
	var out []seal.Slot
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, dbError("read data keys", err)
		}
		l, err := seal.UnmarshalSlots(id, text)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("read data keys", err)
	}
	return out, nil
}

// AddSlot implements seal.SlotStore.
func (s slotStore) AddSlot(ctx context.Context, sl seal.Slot) error {
	_, err := s.conn.ExecContext(ctx, `INSERT INTO data_keys (id, slots, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		sl.DataKey, seal.MarshalSlots([]seal.Slot{sl}), micros(sl.CreatedAt))
	if err != nil {
		return dbError("add data key", err)
	}
	return nil
}

// RotateMasterKeys implements seal.Store.
func (db *DB) RotateMasterKeys(ctx context.Context) (*seal.Rotation, error) {
	var r *seal.Rotation
	err := db.update(ctx, func(t *txn) error {
		rows, err := t.w.conn.QueryContext(ctx, `SELECT id, slots FROM data_keys ORDER BY id`)
		existing, err := readSlots(rows, err)
		if err != nil {
			return err
		}
		var next map[string][]seal.Slot
		next, r = db.box.Rotate(db.masters.Keys, existing, time.Now())
		for id, slots := range next {
			if _, err := t.exec(`UPDATE data_keys SET slots = ? WHERE id = ?`, seal.MarshalSlots(slots), id); err != nil {
				return dbError("rotate data keys", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// sealedLike is the LIKE pattern of sealed values.
const sealedLike = `'` + seal.Prefix + `%'`

// clearCol is the SQL condition of a column holding a clear secret.
func clearCol(col string) string {
	return `(` + col + ` <> '' AND ` + col + ` NOT LIKE ` + sealedLike + `)`
}

// sealCursor remembers, per table, the last row key SealClear went past in
// this process, so that each batch starts where the last stopped; a new
// process starts from the first row, and skips the sealed ones.
type sealCursor struct {
	mu    sync.Mutex
	after map[string]string
}

// sealTable is a table of sealed columns, for SealClear.
type sealTable struct {
	name, key string
	cols      []string // the columns
	purposes  []string // their seal purposes
	list      bool     // the (only) column is a JSON array of secrets
}

var sealTables = []sealTable{
	{name: "enterprises", key: "access_code", cols: []string{"secrets"}, purposes: []string{seal.EnterpriseSecret}, list: true},
	{name: "webhooks", key: "enterprise_code", cols: []string{"secret", "old_secret", "v4_key"},
		purposes: []string{seal.WebhookSecret, seal.WebhookSecret, seal.WebhookV4Key}},
	{name: "sim_auth", key: "iccid", cols: []string{"ki", "opc"}, purposes: []string{seal.SIMKi, seal.SIMOPc}},
}

// SealClear implements seal.Store.
func (db *DB) SealClear(ctx context.Context, batch int) (int, error) {
	cur := &db.sealCur
	cur.mu.Lock()
	defer cur.mu.Unlock()
	if cur.after == nil {
		cur.after = map[string]string{}
	}
	n := 0
	var moved map[string]string
	err := db.update(ctx, func(t *txn) error {
		n, moved = 0, map[string]string{}
		// The clear values replaced must not linger in the file's free
		// space: SQLite zeroes what it frees while secure_delete is on.
		var was int
		if err := t.queryRow(`PRAGMA secure_delete`).Scan(&was); err != nil {
			return dbError("seal", err)
		}
		if _, err := t.exec(`PRAGMA secure_delete = 1`); err != nil {
			return dbError("seal", err)
		}
		defer t.exec(`PRAGMA secure_delete = ` + strconv.Itoa(was))
		for _, tb := range sealTables {
			if n >= batch {
				break
			}
			var cond string
			if tb.list {
				cond = `EXISTS (SELECT 1 FROM json_each(` + tb.cols[0] + `) WHERE value NOT LIKE ` + sealedLike + `)`
			} else {
				for i, c := range tb.cols {
					if i > 0 {
						cond += " OR "
					}
					cond += clearCol(c)
				}
			}
			cols := tb.key
			for _, c := range tb.cols {
				cols += ", " + c
			}
			rows, err := t.w.conn.QueryContext(ctx, `SELECT `+cols+` FROM `+tb.name+` WHERE `+tb.key+` > ? AND (`+cond+`) ORDER BY `+tb.key+` LIMIT ?`,
				cur.after[tb.name], batch-n)
			if err != nil {
				return dbError("seal "+tb.name, err)
			}
			var found [][]string
			for rows.Next() {
				vals := make([]string, 1+len(tb.cols))
				ptrs := make([]any, len(vals))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return dbError("seal "+tb.name, err)
				}
				found = append(found, vals)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return dbError("seal "+tb.name, err)
			}
			for _, vals := range found {
				key := vals[0]
				set, args := "", []any{}
				for i, c := range tb.cols {
					v := vals[1+i]
					if tb.list {
						l, err := decodeList(v)
						if err != nil {
							return err
						}
						for j, s := range l {
							if !seal.IsSealed(s) {
								l[j] = db.box.Seal(tb.purposes[i], key, s)
							}
						}
						if v, err = encodeList(l); err != nil {
							return err
						}
					} else if !seal.IsSealed(v) {
						v = db.box.Seal(tb.purposes[i], key, v)
					}
					if i > 0 {
						set += ", "
					}
					set += c + " = ?"
					args = append(args, v)
				}
				if _, err := t.exec(`UPDATE `+tb.name+` SET `+set+` WHERE `+tb.key+` = ?`, append(args, key)...); err != nil {
					return dbError("seal "+tb.name, err)
				}
				n++
			}
			if len(found) > 0 {
				moved[tb.name] = found[len(found)-1][0]
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for k, v := range moved {
		cur.after[k] = v
	}
	if n == 0 {
		clear(cur.after)
	}
	return n, nil
}
