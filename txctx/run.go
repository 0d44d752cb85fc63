package txctx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/atcommit"
)

// Run runs fn in a transaction on the connection bound to ctx (the default
// one, or the one chosen with On).
//
// Outside a transaction Run sends BEGIN, calls fn with a context carrying
// the transaction, and sends COMMIT when fn returns nil, ROLLBACK when it
// returns an error, panics (Run rolls back, then panics again) or calls
// runtime.Goexit. Inside a transaction Run is a savepoint (SAVEPOINT sp_N,
// then RELEASE SAVEPOINT or ROLLBACK TO SAVEPOINT) and the outer transaction
// goes on.
//
// The error returned is fn's; a failed commit is returned wrapped in
// ErrCommit, a failed rollback is joined to fn's error wrapped in
// ErrRollback. When ctx ends during fn, the rollback is still sent (with
// RollbackTimeout) and the error wraps ctx's error (context.Canceled or
// context.DeadlineExceeded).
func Run(ctx context.Context, fn func(ctx context.Context) error, opts ...Option) error {
	c := newConfig(opts)
	c.connection(ctx)
	s := lookup(ctx, c.name)
	if s == nil {
		return notBound(c.name)
	}
	if s.frame != nil {
		return runNested(ctx, s, fn, &c, false)
	}
	return runOutermost(ctx, s, fn, &c)
}

// RunNew runs fn in a transaction of its own, on a connection of its own,
// committed or rolled back when fn returns, whatever the transaction open in
// ctx (if any) does later. Inside fn, DB(ctx) is that new transaction.
//
// Inside a transaction RunNew needs a second connection: it waits for one
// at most WithPoolWait (default DefaultPoolWait), then fails with
// ErrPoolExhausted. On SQLite, while another transaction holds a lock that
// RunNew's write needs, RunNew waits the busy timeout and fails with
// ErrWriteLocked; inside a transaction that is always the case once the
// outer transaction has begun (a file: BEGIN IMMEDIATE) or run a statement
// (the in-memory database).
func RunNew(ctx context.Context, fn func(ctx context.Context) error, opts ...Option) error {
	c := newConfig(opts)
	c.connection(ctx)
	s := lookup(ctx, c.name)
	if s == nil {
		return notBound(c.name)
	}
	if s.frame != nil && s.frame.tx.test != nil {
		return runNewInTest(ctx, s, fn, &c)
	}
	if s.frame != nil && c.poolWait == 0 {
		c.poolWait = DefaultPoolWait
	}
	db := s.db
	if s.frame != nil && s.frame.tx.external {
		db = poolOf(s.frame.tx.conn) // WithTx: begin on the pool it came from
	}
	err := runOutermost(ctx, &scope{name: s.name, db: db}, fn, &c)
	if err == nil || errors.Is(err, ErrWriteLocked) {
		return err
	}
	return classifyWriteLock(s, err)
}

// deadline is the timeout of an outermost Run or a RunNew on db:
// WithTimeout's, else gorm.Config.DefaultTransactionTimeout.
func (c *config) deadline(db *gorm.DB) time.Duration {
	if c.timeout > 0 || db.Config == nil {
		return c.timeout
	}
	return db.DefaultTransactionTimeout
}

func notBound(name string) error {
	return fmt.Errorf("%w under name %s: call txctx.WithDB / WithNamedDB (or use txctx.Middleware) first", ErrNotBound, quoteName(name))
}

// runOutermost runs the attempts of a transaction and then its callbacks.
func runOutermost(ctx context.Context, s *scope, fn func(context.Context) error, c *config) error {
	hookCtx := ctx // the callbacks' context: no transaction in it
	if timeout := c.deadline(s.db); timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	for attempt := 1; ; attempt++ {
		hooks, err := runAttempt(ctx, hookCtx, s, fn, c, attempt)
		if !c.retries(err, attempt, c.attempts) {
			runHooks(hookCtx, hooks)
			return err
		}
		if !sleep(ctx, c.backoff(attempt)) {
			return err
		}
	}
}

// runAttempt begins, runs fn, and commits or rolls back. It returns the
// callbacks to run if this attempt is final. A panic or runtime.Goexit in
// fn rolls back and runs the AfterRollback callbacks before unwinding.
func runAttempt(ctx, hookCtx context.Context, s *scope, fn func(context.Context) error, c *config, attempt int) (hooks []func(context.Context), err error) {
	t := newTxn(s.db, c)
	t.observing(s.name, attempt, nil)
	ctx = t.startObserving(ctx)
	if err := t.beginLocked(ctx, c.poolWait); err != nil {
		t.endObserving(Failed, err, c.retryReason(err, attempt, c.attempts))
		return nil, err
	}
	txCtx := push(atcommit.Clear(ctx), s.name, s.db, &t.root, true) // a flush's mark is not this transaction's
	completed := false
	defer func() {
		if !completed {
			t.abort(ctx, hookCtx)
		}
	}()
	err = fn(txCtx)
	completed = true
	hooks, outcome, err := t.finish(ctx, err)
	t.endObserving(outcome, err, c.retryReason(err, attempt, c.attempts))
	return hooks, err
}

// finish commits when fn succeeded and nothing forbids it, else rolls back.
func (t *txn) finish(ctx context.Context, err error) ([]func(context.Context), Outcome, error) {
	err = t.failure(ctx, err)
	if err == nil {
		err = t.beforeCommit(ctx, &t.root)
	}
	if err == nil {
		if err = t.commit(ctx); err == nil {
			return t.end(true), Committed, nil
		}
		return t.end(false), Failed, err
	}
	rerr := t.rollback(ctx, false)
	outcome := RolledBack
	switch {
	case rerr == nil:
	case t.lostToCancellation(err, rerr):
		err = t.withLoss(err) // the server ended it with the connection
	default:
		err = errors.Join(err, rerr)
		outcome = Failed
	}
	return t.end(false), outcome, err
}

// failure is fn's error, or the reason the transaction cannot commit
// although fn returned nil: ctx ended, or a savepoint saw a serialization
// failure (the transaction is lost).
func (t *txn) failure(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return contextEnded(ctx, err)
	}
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.doomed
}

// contextEnded makes sure the error of a scope whose context ended wraps
// the context's error.
func contextEnded(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if err == nil {
		return fmt.Errorf("txctx: rolled back, the context ended: %w", context.Cause(ctx))
	}
	if errors.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("txctx: rolled back, the context ended (%w): %w", cerr, err)
}

// abort rolls back after a panic or runtime.Goexit in fn, which then goes
// on unwinding.
func (t *txn) abort(ctx, hookCtx context.Context) {
	outcome, reported := RolledBack, error(ErrAborted)
	if err := t.rollback(ctx, true); err != nil {
		slog.ErrorContext(ctx, "txctx: rollback after panic failed", "error", err)
		outcome, reported = Failed, errors.Join(ErrAborted, err)
	}
	hooks := t.end(false)
	t.endObserving(outcome, reported, "")
	runHooks(hookCtx, hooks)
}

// runNested runs fn in a savepoint of the transaction open in s; a
// standalone one stands for a transaction of its own (RunNew in a test).
func runNested(ctx context.Context, s *scope, fn func(context.Context) error, c *config, standalone bool) (err error) {
	t := s.frame.tx
	if !t.standsForTransaction(s.frame, standalone) {
		if err := t.checkNested(c); err != nil {
			return err
		}
	}
	f, err := t.pushFrame(ctx, s.frame, standalone)
	if err != nil {
		return err
	}
	ctx, so := t.startSavepoint(ctx, f)
	if err := t.exec(ctx, "SAVEPOINT "+f.savepoint); err != nil {
		t.popFrame(ctx, f, false)
		err = fmt.Errorf("txctx: %s: %w", "SAVEPOINT "+f.savepoint, err)
		so.end(Failed, err, "")
		return err
	}
	fctx := push(atcommit.Clear(ctx), s.name, s.db, f, true) // it may roll back: nothing is held for COMMIT
	if c.timeout > 0 {
		var cancel context.CancelFunc
		fctx, cancel = context.WithTimeout(fctx, c.timeout)
		defer cancel()
	}
	completed := false
	defer func() {
		if !completed {
			if rerr := t.rollbackTo(ctx, f, true, nil); rerr != nil {
				so.end(Failed, errors.Join(ErrAborted, rerr), "")
			} else {
				so.end(RolledBack, ErrAborted, "")
			}
		}
	}()
	err = fn(fctx)
	completed = true
	outcome, err := t.endSavepoint(ctx, fctx, f, err)
	so.end(outcome, err, "")
	return err
}

// endSavepoint releases the savepoint when fn succeeded, else rolls back to
// it.
func (t *txn) endSavepoint(ctx, fctx context.Context, f *frame, err error) (Outcome, error) {
	if fctx.Err() != nil {
		err = contextEnded(fctx, err)
	}
	if err == nil && f.standalone {
		err = t.beforeCommit(ctx, f) // it stands for a transaction
	}
	if err != nil {
		t.noteFailure(err)
		if rerr := t.rollbackTo(ctx, f, false, err); rerr != nil {
			return Failed, errors.Join(err, rerr)
		}
		return RolledBack, err
	}
	if err := t.releaseSavepoint(ctx, f.savepoint); err != nil {
		t.rollbackTo(ctx, f, false, err)
		return Failed, fmt.Errorf("%w: RELEASE SAVEPOINT %s: %w", ErrCommit, f.savepoint, err)
	}
	t.popFrame(ctx, f, true)
	return Committed, nil
}

// rollbackTo rolls back to f's savepoint and releases it, even when ctx was
// cancelled; cause is why. When that fails the whole transaction is
// doomed: reported as ErrRollback on a live connection, or as the loss of
// the connection when the cancellation behind cause closed it.
func (t *txn) rollbackTo(ctx context.Context, f *frame, panicking bool, cause error) error {
	err := t.rollbackToSavepoint(ctx, f.savepoint, panicking)
	var replayErr error
	if err == nil {
		replayErr = t.replayWrites(ctx, f) // under a test binding only
	}
	t.popFrame(ctx, f, false)
	switch {
	case err == nil:
		return replayErr
	case t.lostToCancellation(cause, err):
		t.loseConn(f, cause)
		return nil
	}
	err = fmt.Errorf("%w: ROLLBACK TO SAVEPOINT %s: %w", ErrRollback, f.savepoint, err)
	t.noteFailure(err)
	return err
}

// noteFailure dooms the transaction after an error that leaves it unusable
// (a serialization failure or deadlock, a failed savepoint rollback): the
// outermost scope then rolls back even if fn returns nil, and may retry.
func (t *txn) noteFailure(err error) {
	if !isSerializationFailure(err) && !errors.Is(err, ErrRollback) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.doomed == nil {
		t.doomed = err
	}
}

// checkNested refuses options a savepoint cannot honour.
func (t *txn) checkNested(c *config) error {
	switch {
	case c.durable:
		return fmt.Errorf("%w: ctx is already inside a transaction on connection %s; call it outside any Run, or use RunNew", ErrDurable, quoteName(c.name))
	case c.attempts > 1:
		return ErrRetryInSavepoint
	case c.readOnlySet && c.readOnly != t.readOnly:
		return fmt.Errorf("%w: read-only %v requested, the open transaction is read-only %v", ErrOptionsConflict, c.readOnly, t.readOnly)
	case c.isolation != 0 && c.isolation != t.level:
		return fmt.Errorf("%w: isolation %v requested, the open transaction has %v", ErrOptionsConflict, c.isolation, t.level)
	}
	return nil
}

func wrapf(sentinel error, msg string) error { return fmt.Errorf("%w: %s", sentinel, msg) }
