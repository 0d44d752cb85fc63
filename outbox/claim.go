package outbox

import (
	"cmp"
	"context"
	"slices"
	"time"

	"gorm.io/gorm"
)

// now is the time on the database server's clock (PostgreSQL), as of the
// last claim, or the local clock (SQLite, one process).
func (r *Relay) now() time.Time { return time.Now().Add(time.Duration(r.offset.Load())) }

// claimLock is the PostgreSQL advisory lock that serializes the claims of
// the relays of one table (each claim is one short transaction).
func claimLock(table string) int64 { return lockKey("claim", table) }

// claim marks up to batchSize messages as taken by this relay until the
// claim expires, and returns them in sequence order. A message is taken
// only with every pending message of its key before it: none of them may
// be claimed by another relay or waiting for a retry, so per key one relay
// at a time publishes, in order. Messages without a key are each on their
// own.
func (r *Relay) claim(ctx context.Context) ([]row, error) {
	var rows []row
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if r.pg {
			// The claim's snapshot must be taken after the lock, so that it
			// sees the claim of the relay that held it before; the server's
			// clock, read then, is the one all relays' claims compare with.
			// JIT is off for the claim: the planner prices the probes of a
			// large backlog high enough to compile the statement, which takes
			// longer (15 ms and more) than running it (about 1 ms).
			var serverNow int64
			if err := tx.Raw("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM (SELECT pg_advisory_xact_lock(?), set_config('jit', 'off', true)) l",
				claimLock(r.cfg.table)).Scan(&serverNow).Error; err != nil {
				return err
			}
			r.offset.Store(int64(time.Until(time.UnixMicro(serverNow))))
		}
		now := r.now()
		at := now.UnixMicro()
		return tx.Raw(r.claimSQL, now.Add(r.cfg.claimTTL).UnixMicro(), r.id, at, at, at, at,
			r.cfg.batchSize).Scan(&rows).Error
	})
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.Seq, b.Seq) })
	return rows, err
}

// claimQuery is the claim statement (RETURNING's order is unspecified).
// It reads the pending messages in sequence order (index {t}_pending_seq)
// and takes each one that is available (not waiting for a retry, not
// claimed) unless an earlier pending message of its key is not (a probe of
// index {t}_pending), up to the batch size: its cost follows the batch,
// not the backlog. A message taken has every earlier pending message of
// its key taken too, since they come first in sequence order and are
// available.
func claimQuery(table string) string {
	return `UPDATE ` + table + ` SET claimed_until = ?, claimed_by = ?
WHERE seq IN (
	SELECT seq FROM ` + table + ` r
	WHERE state = 0 AND due_at <= ? AND claimed_until <= ?
		AND (key = '' OR NOT EXISTS (
			SELECT 1 FROM ` + table + ` p
			WHERE p.state = 0 AND p.key = r.key AND p.seq < r.seq AND (p.due_at > ? OR p.claimed_until > ?)))
	ORDER BY seq LIMIT ?
)
RETURNING seq, id, topic, key, payload, headers, created_at, attempts`
}

// nextDue returns when the earliest pending message waiting for a retry
// or an expired claim becomes available, zero when none does.
func (r *Relay) nextDue(ctx context.Context, now time.Time) (time.Time, error) {
	var next *int64
	err := r.db.WithContext(ctx).Raw(`SELECT MIN(CASE WHEN due_at > claimed_until THEN due_at ELSE claimed_until END) FROM `+
		r.cfg.table+` WHERE state = 0 AND (due_at > ? OR claimed_until > ?)`, now.UnixMicro(), now.UnixMicro()).Scan(&next).Error
	if err != nil || next == nil {
		return time.Time{}, err
	}
	return time.UnixMicro(*next), nil
}
