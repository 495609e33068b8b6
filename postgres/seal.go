package postgres

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube/seal"
)

var _ seal.Store = (*DB)(nil)

// slotStore keeps the data keys of a DB for seal.Open.
type slotStore struct{ db *DB }

// Slots implements seal.SlotStore.
func (s slotStore) Slots(ctx context.Context) ([]seal.Slot, error) {
	var out []seal.Slot
	err := retry(ctx, func() error {
		var err error
		out, err = readSlots(s.db.pool.Query(ctx, `SELECT id, slots FROM data_keys ORDER BY id`))
		return err
	})
	if err != nil {
		return nil, s.db.dbError("read data keys", err)
	}
	return out, nil
}

// readSlots reads the rows of a query of data_keys' id and slots.
func readSlots(rows pgx.Rows, err error) ([]seal.Slot, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []seal.Slot
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		l, err := seal.UnmarshalSlots(id, text)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, rows.Err()
}

// AddSlot implements seal.SlotStore.
func (s slotStore) AddSlot(ctx context.Context, sl seal.Slot) error {
	_, err := s.db.exec(ctx, "add data key", `INSERT INTO data_keys (id, slots, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
		sl.DataKey, seal.MarshalSlots([]seal.Slot{sl}), sl.CreatedAt)
	return err
}

// RotateMasterKeys implements seal.Store.
func (db *DB) RotateMasterKeys(ctx context.Context) (*seal.Rotation, error) {
	var r *seal.Rotation
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		existing, err := readSlots(tx.Query(ctx, `SELECT id, slots FROM data_keys ORDER BY id FOR UPDATE`))
		if err != nil {
			return db.dbError("rotate data keys", err)
		}
		var next map[string][]seal.Slot
		next, r = db.box.Rotate(db.masters.Keys, existing, time.Now())
		for id, slots := range next {
			if _, err := tx.Exec(ctx, `UPDATE data_keys SET slots = $1 WHERE id = $2`, seal.MarshalSlots(slots), id); err != nil {
				return db.dbError("rotate data keys", err)
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
	list      bool     // the (only) column is a text[] of secrets
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
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		n, moved = 0, map[string]string{}
		for _, tb := range sealTables {
			if n >= batch {
				break
			}
			var cond string
			if tb.list {
				cond = `EXISTS (SELECT 1 FROM unnest(` + tb.cols[0] + `) s WHERE s NOT LIKE ` + sealedLike + `)`
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
			rows, err := tx.Query(ctx, `SELECT `+cols+` FROM `+tb.name+` WHERE `+tb.key+` > $1 AND (`+cond+`) ORDER BY `+tb.key+` LIMIT $2 FOR UPDATE`,
				cur.after[tb.name], batch-n)
			if err != nil {
				return db.dbError("seal "+tb.name, err)
			}
			type row struct {
				key  string
				vals []any
			}
			var found []row
			for rows.Next() {
				r := row{}
				ptrs := []any{&r.key}
				if tb.list {
					var l []string
					r.vals = []any{&l}
					ptrs = append(ptrs, &l)
				} else {
					for range tb.cols {
						v := new(string)
						r.vals = append(r.vals, v)
						ptrs = append(ptrs, v)
					}
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return db.dbError("seal "+tb.name, err)
				}
				found = append(found, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return db.dbError("seal "+tb.name, err)
			}
			for _, r := range found {
				set, args := "", []any{}
				for i, c := range tb.cols {
					var v any
					if tb.list {
						l := *r.vals[0].(*[]string)
						for j, s := range l {
							if !seal.IsSealed(s) {
								l[j] = db.box.Seal(tb.purposes[i], r.key, s)
							}
						}
						v = list(l)
					} else {
						s := *r.vals[i].(*string)
						if !seal.IsSealed(s) {
							s = db.box.Seal(tb.purposes[i], r.key, s)
						}
						v = s
					}
					if i > 0 {
						set += ", "
					}
					args = append(args, v)
					set += c + " = $" + strconv.Itoa(len(args))
				}
				args = append(args, r.key)
				if _, err := tx.Exec(ctx, `UPDATE `+tb.name+` SET `+set+` WHERE `+tb.key+` = $`+strconv.Itoa(len(args)), args...); err != nil {
					return db.dbError("seal "+tb.name, err)
				}
				n++
			}
			if len(found) > 0 {
				moved[tb.name] = found[len(found)-1].key
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
