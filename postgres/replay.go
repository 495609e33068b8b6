package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube"
)

// Purging of expired replays from ClaimReplay: every purgeEvery claims a node
// records, at most purgeBatch expired rows go, so the table stays bounded at
// any request rate while no single claim pays for a large delete.
const (
	purgeEvery = 256
	purgeBatch = 1024
)

const (
	// An unexpired entry stays; an expired one, or one without a response
	// (left by an earlier version whose request died), is replaced in
	// place. A
	// concurrent claim of the same key, on any node, waits for this one's
	// row and then finds it unexpired: exactly one claimer records it.
	sqlClaimReplay = `INSERT INTO replays (access_code, key, fingerprint, response, expires_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (access_code, key) DO UPDATE SET
			fingerprint = excluded.fingerprint, response = excluded.response, expires_at = excluded.expires_at
		WHERE replays.expires_at <= $6 OR replays.response IS NULL
		RETURNING true`
	sqlFindReplay = `SELECT fingerprint, response, expires_at FROM replays WHERE access_code = $1 AND key = $2`
	// Rows another node is replacing are skipped, not waited for.
	sqlPurgeReplays = `DELETE FROM replays WHERE (access_code, key) IN
		(SELECT access_code, key FROM replays WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`
)

// ClaimReplay implements opencube.ReplayStore. An entry whose ExpiresAt is
// not after now is expired and is replaced. The returned entry is nil when r
// was recorded.
func (db *DB) ClaimReplay(ctx context.Context, r *opencube.Replay, now time.Time) (*opencube.Replay, bool, error) {
	response := r.Response
	if response == nil {
		response = []byte{} // NULL would count as absent
	}
	// The entry found in the way may expire and be purged before it is
	// read; then the claim is tried again.
	for range 3 {
		var ok bool
		err := retry(ctx, func() error {
			return db.pool.QueryRow(ctx, sqlClaimReplay, r.AccessCode, r.Key, r.Fingerprint, response, r.ExpiresAt, now).Scan(&ok)
		})
		if err == nil {
			if db.claims.Add(1)%purgeEvery == 0 {
				// Best effort: the claim is made, and a janitor's
				// PurgeReplays or a later claim will catch up.
				db.pool.Exec(ctx, sqlPurgeReplays, now, purgeBatch)
			}
			return nil, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, false, db.dbError("claim replay", err)
		}
		e := opencube.Replay{AccessCode: r.AccessCode, Key: r.Key}
		err = retry(ctx, func() error {
			return db.pool.QueryRow(ctx, sqlFindReplay, r.AccessCode, r.Key).Scan(&e.Fingerprint, &e.Response, &e.ExpiresAt)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, false, db.dbError("claim replay", err)
		}
		e.ExpiresAt = utc(e.ExpiresAt)
		return &e, false, nil
	}
	return nil, false, db.dbError("claim replay", errors.New("the entry in the way keeps changing"))
}

// PurgeReplays deletes every replay entry expired at now and returns how
// many went. ClaimReplay purges a little as it goes; a janitor may call this
// to empty the table of expired entries at once.
func (db *DB) PurgeReplays(ctx context.Context, now time.Time) (int64, error) {
	tag, err := db.exec(ctx, "purge replays", `DELETE FROM replays WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// sqlInsertReplay is the replay entry of an order transaction that defers
// its writes: any entry in the way fails it. It may join other deferred
// writes (see mergeable).
var sqlInsertReplay = mergeable("", `INSERT INTO replays (access_code, key, fingerprint, response, expires_at) VALUES ($1, $2, $3, $4, $5)`)
