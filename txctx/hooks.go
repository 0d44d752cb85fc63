package txctx

import (
	"context"
	"log/slog"
	"runtime/debug"
)

// AfterCommit registers fn to run once the transaction of ctx has
// committed: after the outermost COMMIT, in registration order. It is
// dropped when the transaction, or the savepoint it was registered in, rolls
// back, and when the attempt that registered it is retried. Outside a
// transaction fn runs at once (the work before it was committed already).
//
// The transaction is the innermost one of ctx, whatever its connection. fn
// gets a context with ctx's values but no cancellation and no transaction:
// DB in it is the plain connection. A panic in fn is recovered and logged
// with log/slog; the other callbacks still run.
func AfterCommit(ctx context.Context, fn func(ctx context.Context)) {
	s := innermost(ctx)
	if s == nil || s.frame == nil {
		runHooks(ctx, []func(context.Context){fn})
		return
	}
	s.frame.tx.register(s.frame, func(f *frame) { f.commits = append(f.commits, fn) })
}

// AfterRollback registers fn to run once the work of the scope it was
// registered in has been rolled back and the transaction has ended: after
// the outermost ROLLBACK, or, when only its savepoint rolled back, after the
// transaction ends either way. It is dropped when its attempt is retried.
// Outside a transaction nothing can roll back, and fn never runs.
//
// It is the portable way to record a failure: on SQLite, a RunNew cannot
// write while the failing transaction holds the write lock, an
// AfterRollback callback can. fn gets the same context as AfterCommit's.
func AfterRollback(ctx context.Context, fn func(ctx context.Context)) {
	s := innermost(ctx)
	if s == nil || s.frame == nil {
		return
	}
	s.frame.tx.register(s.frame, func(f *frame) { f.rollbacks = append(f.rollbacks, rollbackHook{fn: fn}) })
}

// register adds a callback to frame f, or, when f is no longer open (a
// context used after its Run returned), logs and drops it.
func (t *txn) register(f *frame, add func(*frame)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.isOpen(f) {
		slog.Error("txctx: callback registered on a scope that has ended; dropped", "error", ErrConcurrentUse)
		return
	}
	add(f)
}

// isOpen reports whether f is an open frame of t.
func (t *txn) isOpen(f *frame) bool {
	for g := t.top; g != nil; g = g.parent {
		if g == f {
			return true
		}
	}
	return false
}

// runHooks runs callbacks in order, each isolated from the others' panics.
// They get ctx without its cancellation.
func runHooks(ctx context.Context, hooks []func(context.Context)) {
	if len(hooks) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, h := range hooks {
		runHook(ctx, h)
	}
}

func runHook(ctx context.Context, h func(context.Context)) {
	defer func() {
		if r := recover(); r != nil {
			slog.ErrorContext(ctx, "txctx: after-commit/rollback callback panicked", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	h(ctx)
}
