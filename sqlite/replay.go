package sqlite

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// Purging of expired replays from ClaimReplay: every purgeEvery claims, at
// most purgeBatch expired rows go, so the table stays bounded at any request
// rate while no single claim pays for a large delete.
const (
	purgeEvery = 256
	purgeBatch = 1024
)

// The statements of the replay guard.
var (
	// An unexpired entry stays; an expired one, or one without a response
	// (left by an earlier version whose request died), is replaced in
	// place.
	qClaimReplay = prepared(`INSERT INTO replays (access_code, key, fingerprint, response, expires_at)
		VALUES (?1, ?2, ?3, ?4, ?5)
		ON CONFLICT (access_code, key) DO UPDATE SET
			fingerprint = excluded.fingerprint, response = excluded.response, expires_at = excluded.expires_at
		WHERE replays.expires_at <= ?6 OR replays.response IS NULL`)
	qFindReplay = prepared(`SELECT access_code, key, fingerprint, response, response IS NULL, expires_at FROM replays
		WHERE access_code = ? AND key = ?`)
	qPurgeReplays = prepared(`DELETE FROM replays WHERE (access_code, key) IN
		(SELECT access_code, key FROM replays WHERE expires_at <= ? LIMIT ?)`)
)

// ClaimReplay implements opencube.ReplayStore. An entry whose ExpiresAt is
// not after now is expired and is replaced. The returned entry is nil when r
// was recorded.
func (db *DB) ClaimReplay(ctx context.Context, r *opencube.Replay, now time.Time) (*opencube.Replay, bool, error) {
	var existing *opencube.Replay
	err := db.update(ctx, func(t *txn) error {
		var err error
		existing, err = db.claimReplay(t, r, now)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return existing, existing == nil, nil
}

// claimReplay records r in t unless an unexpired entry with its key exists,
// which it returns.
func (db *DB) claimReplay(t *txn, r *opencube.Replay, now time.Time) (*opencube.Replay, error) {
	response := r.Response
	if response == nil {
		response = []byte{} // NULL would count as absent
	}
	res, err := t.execStmt(qClaimReplay,
		r.AccessCode, r.Key, r.Fingerprint, response, micros(r.ExpiresAt), micros(now))
	if err != nil {
		return nil, dbError("claim replay", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, dbError("claim replay", err)
	}
	if n == 0 {
		var (
			e       opencube.Replay
			null    bool
			expires int64
		)
		err := t.queryRowStmt(qFindReplay, r.AccessCode, r.Key).
			Scan(&e.AccessCode, &e.Key, &e.Fingerprint, &e.Response, &null, &expires)
		if err != nil {
			return nil, dbError("claim replay", err)
		}
		if e.Response == nil && !null {
			e.Response = []byte{} // an empty response is a response
		}
		e.ExpiresAt = instant(expires)
		return &e, nil
	}
	if db.claims.Add(1)%purgeEvery == 0 {
		if _, err := t.execStmt(qPurgeReplays, micros(now), purgeBatch); err != nil {
			return nil, dbError("purge replays", err)
		}
	}
	return nil, nil
}

// PurgeReplays deletes every replay entry expired at now and returns how
// many went. ClaimReplay purges a little as it goes; a janitor may call this
// to empty the table of expired entries at once.
func (db *DB) PurgeReplays(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := db.update(ctx, func(t *txn) error {
		res, err := t.execStmt(qPurgeReplays, micros(now), -1)
		if err != nil {
			return dbError("purge replays", err)
		}
		n, err = res.RowsAffected()
		if err != nil {
			return dbError("purge replays", err)
		}
		return nil
	})
	return n, err
}
