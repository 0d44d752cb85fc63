package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Relay publishes the committed messages of an outbox table. Make one with
// NewRelay and call Run; several relays, in one process or several, may
// serve the same table on PostgreSQL (on SQLite, run one).
type Relay struct {
	db       *gorm.DB
	pub      Publisher
	cfg      config
	err      error
	pg       bool
	id       string // this relay's claims
	claimSQL string
	purged   time.Time
	offset   atomic.Int64 // the server's clock minus ours (see now)
}

// NewRelay returns a relay that publishes the messages of the table named
// by WithTable (default DefaultTable) on db through pub. The options it
// reads: WithBatchSize, WithMaxAttempts, WithPollInterval, WithClaimTTL,
// WithRetryBackoff, WithRetention.
//
// NewRelay binds db for txctx at once (its callbacks are registered on db
// now): make relays and handlers (Transactional, Idempotent) on a
// connection before any of them runs.
func NewRelay(db *gorm.DB, pub Publisher, opts ...Option) *Relay {
	prepare(db)
	r := &Relay{db: db, pub: pub, cfg: newConfig(opts), id: uuid.NewString()}
	r.err = validTable(r.cfg.table)
	if db == nil || pub == nil {
		r.err = errors.New("outbox: NewRelay needs a database and a publisher")
	}
	r.pg = db != nil && db.Dialector.Name() == "postgres"
	r.claimSQL = claimQuery(r.cfg.table)
	return r
}

// Run publishes messages until ctx ends, then returns nil. Call it once
// per Relay; for more relays, make more. Each round claims a batch,
// publishes it and records the outcome; between rounds the relay sleeps until a transaction of this process commits messages, a
// PostgreSQL NOTIFY announces some from another process, a retry falls
// due, or the poll interval passes. Database and broker errors are logged
// and retried; none stops Run. When ctx ends during a round, the messages
// not yet settled are released (or, if that fails, left to their claim's
// expiry).
func (r *Relay) Run(ctx context.Context) error {
	if r.err != nil {
		return r.err
	}
	signal, cancel := subscribe(r.cfg.table)
	defer cancel()
	if r.pg {
		stop := r.listen(ctx, signal)
		defer stop()
	}
	for ctx.Err() == nil {
		full, err := r.round(ctx)
		if err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "outbox: relay round failed", "table", r.cfg.table, "error", err)
		}
		if full && err == nil {
			continue
		}
		r.wait(ctx, signal, err != nil)
	}
	return nil
}

// RunOnce runs one round: it claims, publishes and settles at most one
// batch, and returns how many messages the broker accepted.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	rows, err := r.claim(ctx)
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	return r.publish(ctx, rows)
}

// round is RunOnce for Run, which also purges sent messages kept for
// retention when there was nothing to publish; full reports a batch that
// was full (more may be waiting). A round without error published every
// message it claimed, so none were claimed when it published none.
func (r *Relay) round(ctx context.Context) (full bool, err error) {
	n, err := r.RunOnce(ctx)
	if err == nil && n == 0 {
		return false, r.purge(ctx)
	}
	return n == r.cfg.batchSize, err
}

// publish hands rows to the publisher, within half the claim's life, and
// settles the outcome even when ctx has ended meanwhile.
func (r *Relay) publish(ctx context.Context, rows []row) (int, error) {
	msgs := make([]Message, len(rows))
	for i := range rows {
		msgs[i] = rows[i].message()
	}
	pctx, cancel := context.WithTimeout(ctx, r.cfg.claimTTL/2)
	n, pubErr := r.pub.Publish(pctx, msgs)
	cancel()
	n = min(max(n, 0), len(rows))
	if pubErr == nil && n < len(rows) {
		pubErr = errors.New("outbox: the publisher accepted fewer messages than given and returned no error")
	}
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.claimTTL/2)
	defer scancel()
	stopped := ctx.Err() != nil // the relay is stopping: not the message's failure
	if err := r.settle(sctx, rows, n, pubErr, stopped, r.now()); err != nil {
		return n, errors.Join(pubErr, fmt.Errorf("settle: %w", err))
	}
	if pubErr != nil {
		return n, fmt.Errorf("publish: %w", pubErr)
	}
	return n, nil
}

// purge deletes sent messages older than the retention, at most once a
// poll interval.
func (r *Relay) purge(ctx context.Context) error {
	if !r.cfg.retain || time.Since(r.purged) < r.cfg.pollInterval {
		return nil
	}
	r.purged = time.Now()
	cutoff := r.now().Add(-r.cfg.retention).UnixMicro()
	return r.db.WithContext(ctx).Exec("DELETE FROM "+r.cfg.table+" WHERE state = ? AND sent_at < ?", stateSent, cutoff).Error
}

// wait sleeps until a signal, the next retry or the poll interval; after
// a failed round, at most the first retry delay. A signal that came during
// the round ends it at once, without looking for the next retry.
func (r *Relay) wait(ctx context.Context, signal <-chan struct{}, failed bool) {
	select {
	case <-signal:
		return
	default:
	}
	d := r.cfg.pollInterval
	if failed {
		d = min(d, r.backoff(1))
	} else if next, err := r.nextDue(ctx, r.now()); err == nil && !next.IsZero() {
		d = min(d, max(next.Sub(r.now()), time.Millisecond))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-signal:
	case <-t.C:
	}
}
