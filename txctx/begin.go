package txctx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// beginLocked sends BEGIN. The transaction lives on a context that the
// caller's cancellation cannot stop (database/sql would otherwise roll it
// back behind fn's back, and a cancelled context could not send the
// rollback); t.cancel interrupts it, for the rollback timeout. While BEGIN
// waits for a connection, the caller's cancellation and poolWait still
// apply.
func (t *txn) beginLocked(ctx context.Context, poolWait time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("txctx: begin: %w", err)
	}
	if isDryRun(t.conn) {
		t.beginDry(ctx) // nothing is sent (see dryrun.go)
		return nil
	}
	bctx, cancel := ctx, context.CancelFunc(nil)
	if ctx.Done() != nil || poolWait > 0 {
		bctx, cancel = context.WithCancel(context.WithoutCancel(ctx))
	}
	stop := watchBegin(ctx, cancel, poolWait)
	sess := t.conn.Session(&gorm.Session{Context: bctx, NewDB: true})
	if !t.lazy {
		// Run's own deadline stands for GORM's (see runOutermost): GORM's
		// would let database/sql roll back behind fn's back.
		sess.DefaultTransactionTimeout = 0
	}
	tx := sess.Begin(t.opts)
	timedOut := stop()
	if err := beginFailure(ctx, bctx, tx, timedOut, poolWait); err != nil {
		if cancel != nil {
			cancel()
		}
		return err
	}
	t.base, t.pool, t.cancel = tx, tx.Statement.ConnPool, cancel
	t.owned = guard(t, t.pool)
	tx.Statement.ConnPool = t.owned // what DB(ctx) hands out (see manual.go)
	return t.afterBegin(ctx)
}

// beginLazyLocked begins a lazy transaction (Middleware) on its first use,
// observed from the request's context. It returns the failure to begin,
// then and at every later use; a transaction begun, or not lazy, is left
// as it is.
func (t *txn) beginLazyLocked(ctx context.Context) error {
	if t.base != nil || !t.lazy || t.beginErr != nil {
		return t.beginErr
	}
	if t.ob != nil {
		t.startObserving(t.ob.base)
	}
	t.beginErr = t.beginLocked(ctx, 0)
	if t.beginErr != nil {
		t.endObserving(Failed, t.beginErr, "")
	}
	return t.beginErr
}

// watchBegin cancels the BEGIN when ctx ends or poolWait passes; stop
// reports whether poolWait passed. Whichever comes first of stop, the
// caller's cancellation and the timer decides: once stop has returned
// false, nothing cancels the transaction; once an interruption won, stop
// makes sure it has taken effect before returning, so the caller sees the
// cancelled BEGIN context and gives the connection back.
func watchBegin(ctx context.Context, cancel context.CancelFunc, poolWait time.Duration) (stop func() bool) {
	if cancel == nil {
		return func() bool { return false }
	}
	var state atomic.Int32
	interrupt := func(to int32) func() {
		return func() {
			if state.CompareAndSwap(beginWaiting, to) {
				cancel()
			}
		}
	}
	stopCtx := context.AfterFunc(ctx, interrupt(beginInterrupted))
	var timer *time.Timer
	if poolWait > 0 {
		timer = time.AfterFunc(poolWait, interrupt(beginTimedOut))
	}
	return func() bool {
		stopCtx()
		if timer != nil {
			timer.Stop()
		}
		if state.CompareAndSwap(beginWaiting, beginFinished) {
			return false
		}
		cancel()
		return state.Load() == beginTimedOut
	}
}

// States of a watched BEGIN.
const (
	beginWaiting int32 = iota
	beginFinished
	beginInterrupted
	beginTimedOut
)

// beginFailure classifies a failed or interrupted BEGIN. Past poolWait the
// wait for a connection is ErrPoolExhausted; an error of BEGIN itself (such
// as SQLite's "database is locked" from BEGIN IMMEDIATE) came after a
// connection was found, and is reported as it is.
func beginFailure(ctx, bctx context.Context, tx *gorm.DB, timedOut bool, poolWait time.Duration) error {
	err := tx.Error
	if err == nil && bctx.Err() == nil {
		return nil
	}
	if err == nil {
		// Begun, but interrupted right after: give the connection back.
		_ = tx.Rollback().Error
		err = bctx.Err()
	}
	switch {
	case timedOut && errors.Is(err, context.Canceled):
		// The interruption ended the wait for a connection; its
		// "context canceled" is ours, not the caller's.
		return fmt.Errorf("%w: waited %s; raise the pool size (PoolSize/MaxOverflow) or WithPoolWait", ErrPoolExhausted, poolWait)
	case ctx.Err() != nil:
		return fmt.Errorf("txctx: begin: %w", context.Cause(ctx))
	}
	return fmt.Errorf("txctx: begin: %w", err)
}

// afterBegin applies what BEGIN could not: read-only mode on SQLite.
func (t *txn) afterBegin(ctx context.Context) error {
	if !t.sqlite || !t.readOnly {
		return nil
	}
	if _, err := t.pool.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		_ = t.rollback(ctx, false)
		return fmt.Errorf("txctx: begin read-only: %w", err)
	}
	return nil
}

// beforeEnd undoes afterBegin: PRAGMA query_only belongs to the connection,
// not to the transaction, so it is reset before the connection goes back.
func (t *txn) beforeEnd(ctx context.Context) {
	if !t.sqlite || !t.readOnly {
		return
	}
	if _, err := t.pool.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only = 0"); err != nil {
		slog.ErrorContext(ctx, "txctx: resetting PRAGMA query_only failed", "error", err)
	}
}

// commit sends COMMIT.
func (t *txn) commit(ctx context.Context) error {
	if err := t.acquire(context.Background()); err != nil {
		return err
	}
	defer t.releaseSem()
	t.beforeEnd(ctx)
	err := t.pool.(gorm.TxCommitter).Commit()
	t.release()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCommit, err)
	}
	return nil
}

// rollback sends ROLLBACK on a context the caller cannot cancel, bounded by
// RollbackTimeout. When fn panicked, it does not wait for the statement
// lock, which the panicking statement may still hold.
func (t *txn) rollback(ctx context.Context, panicking bool) error {
	if t.cancel != nil {
		timer := time.AfterFunc(RollbackTimeout, t.cancel)
		defer timer.Stop()
	}
	t.takeForRollback(ctx, panicking)
	defer t.releaseSem()
	t.beforeEnd(ctx)
	err := t.pool.(gorm.TxCommitter).Rollback()
	t.release()
	if err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("%w: %w", ErrRollback, err)
	}
	return nil
}

func (t *txn) release() {
	if t.cancel != nil {
		t.cancel()
	}
}

// exec runs a savepoint statement straight on the transaction, after the
// pending RELEASE if any.
func (t *txn) exec(ctx context.Context, query string) error {
	if err := t.acquire(ctx); err != nil {
		return err
	}
	defer t.releaseSem()
	if err := t.flushRelease(ctx); err != nil {
		return err
	}
	_, err := t.pool.ExecContext(ctx, query)
	return err
}

// rollbackToSavepoint sends ROLLBACK TO SAVEPOINT and RELEASE SAVEPOINT
// even when ctx was cancelled, bounded by RollbackTimeout. A pending
// RELEASE of a savepoint inside it is dropped: the rollback ends it.
func (t *txn) rollbackToSavepoint(ctx context.Context, name string, panicking bool) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RollbackTimeout)
	defer cancel()
	t.takeForRollback(rctx, panicking)
	defer t.releaseSem()
	t.pendingRelease = ""
	if _, err := t.pool.ExecContext(rctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
		return err
	}
	_, err := t.pool.ExecContext(rctx, "RELEASE SAVEPOINT "+name)
	return err
}

// release marks f's savepoint released. The RELEASE SAVEPOINT itself goes
// out before the transaction's next statement, or not at all when the next
// thing is the COMMIT or ROLLBACK, which ends every savepoint: the
// common "nested Run, then commit" costs no round trip more than GORM's
// nested Transaction, which never releases. Releasing a savepoint also
// releases those opened inside it, so one name pending is enough.
func (t *txn) releaseSavepoint(ctx context.Context, name string) error {
	if err := t.acquire(ctx); err != nil {
		return err
	}
	t.pendingRelease = name
	t.releaseSem()
	return nil
}

// flushRelease sends the pending RELEASE SAVEPOINT. The caller holds the
// semaphore.
func (t *txn) flushRelease(ctx context.Context) error {
	name := t.pendingRelease
	if name == "" {
		return nil
	}
	t.pendingRelease = ""
	if _, err := t.pool.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("%w: RELEASE SAVEPOINT %s: %w", ErrCommit, name, err)
	}
	return nil
}
