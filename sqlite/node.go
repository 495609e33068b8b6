package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// The statements of the node leases.
var (
	qClaimNode = prepared(`UPDATE nodes SET owner = ?1, leased_until = ?2
		WHERE node = (SELECT node FROM nodes WHERE owner IS NULL OR leased_until <= ?3 ORDER BY node LIMIT 1)
		RETURNING node`)
	qRenewNode   = prepared(`UPDATE nodes SET leased_until = ? WHERE node = ? AND owner = ?`)
	qReleaseNode = prepared(`UPDATE nodes SET owner = NULL, leased_until = NULL WHERE node = ? AND owner = ?`)
)

// ClaimNode implements operator.NodeStore. A lease that ends at now has run
// out.
func (db *DB) ClaimNode(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error) {
	var node int64
	err := db.update(ctx, func(t *txn) error {
		err := t.queryRowStmt(qClaimNode, owner, micros(now.Add(lease)), micros(now)).Scan(&node)
		if errors.Is(err, sql.ErrNoRows) {
			return opencube.Errorf(opencube.KindConflict, "all %d node numbers are held", operator.MaxNodes)
		}
		if err != nil {
			return dbError("claim node", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(node), nil
}

// RenewNode implements operator.NodeStore. owner holds node while nobody has
// claimed it since, even once its lease has run out: nobody else can have
// used the number then.
func (db *DB) RenewNode(ctx context.Context, node int, owner string, now time.Time, lease time.Duration) error {
	return db.update(ctx, func(t *txn) error {
		res, err := t.execStmt(qRenewNode, micros(now.Add(lease)), node, owner)
		if err != nil {
			return dbError("renew node", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return dbError("renew node", err)
		}
		if n == 0 {
			return opencube.Errorf(opencube.KindConflict, "node %d is not held by %s", node, owner)
		}
		return nil
	})
}

// ReleaseNode implements operator.NodeStore. Releasing a node that owner
// does not hold does nothing.
func (db *DB) ReleaseNode(ctx context.Context, node int, owner string) error {
	return db.update(ctx, func(t *txn) error {
		if _, err := t.execStmt(qReleaseNode, node, owner); err != nil {
			return dbError("release node", err)
		}
		return nil
	})
}
