package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

const (
	// The lowest free number is picked and locked by the subquery; numbers
	// another claimer has locked are skipped, not waited for, and one
	// claimed and committed meanwhile fails the re-check, so no two nodes
	// get one number.
	sqlClaimNode = `UPDATE nodes SET owner = $1, leased_until = $2
		WHERE node IN (SELECT node FROM nodes WHERE owner IS NULL OR leased_until <= $3
			ORDER BY node LIMIT 1 FOR UPDATE SKIP LOCKED)
		AND (owner IS NULL OR leased_until <= $3)
		RETURNING node`
	sqlFreeNodes   = `SELECT count(*) FROM nodes WHERE owner IS NULL OR leased_until <= $1`
	sqlRenewNode   = `UPDATE nodes SET leased_until = $1 WHERE node = $2 AND owner = $3`
	sqlReleaseNode = `UPDATE nodes SET owner = NULL, leased_until = NULL WHERE node = $1 AND owner = $2`
)

// ClaimNode implements operator.NodeStore. A lease that ends at now has run
// out.
func (db *DB) ClaimNode(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error) {
	// A claim finds nothing when every number is held, or when the free
	// ones are being claimed by others at this moment: then it tries again.
	for range operator.MaxNodes {
		var node int64
		err := retry(ctx, func() error {
			return db.pool.QueryRow(ctx, sqlClaimNode, owner, now.Add(lease), now).Scan(&node)
		})
		if err == nil {
			return int(node), nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, db.dbError("claim node", err)
		}
		var free int64
		if err := retry(ctx, func() error { return db.pool.QueryRow(ctx, sqlFreeNodes, now).Scan(&free) }); err != nil {
			return 0, db.dbError("claim node", err)
		}
		if free == 0 {
			break
		}
	}
	return 0, opencube.Errorf(opencube.KindConflict, "all %d node numbers are held", operator.MaxNodes)
}

// RenewNode implements operator.NodeStore. owner holds node while nobody has
// claimed it since, even once its lease has run out: nobody else can have
// used the number then.
func (db *DB) RenewNode(ctx context.Context, node int, owner string, now time.Time, lease time.Duration) error {
	tag, err := db.exec(ctx, "renew node", sqlRenewNode, now.Add(lease), int64(node), owner)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return opencube.Errorf(opencube.KindConflict, "node %d is not held by %s", node, owner)
	}
	return nil
}

// ReleaseNode implements operator.NodeStore. Releasing a node that owner
// does not hold does nothing.
func (db *DB) ReleaseNode(ctx context.Context, node int, owner string) error {
	_, err := db.exec(ctx, "release node", sqlReleaseNode, int64(node), owner)
	return err
}
