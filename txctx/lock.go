package txctx

import (
	"context"
	"runtime"
	"sync"
	"weak"

	"gorm.io/gorm"
)

// Statements of one transaction run one at a time, whichever goroutine
// sends them: two callbacks registered on the bound *gorm.DB take the
// transaction's semaphore before a GORM statement and give it back after,
// so that a goroutine cannot start a statement while another one is still
// reading its rows on the same connection (pgx corrupts its state, SQLite
// interleaves). A statement sent from a model hook of a statement that
// holds the semaphore runs under it (its context carries the hold).
//
// Not covered: *sql.Rows and *sql.Row handed to the caller by Rows() and
// Row(), which stay open after the statement; read them to the end before
// another goroutine uses the transaction.

const (
	lockCallback   = "txctx:lock"
	unlockCallback = "txctx:unlock"
)

// registered holds the callback sets (one per root *gorm.DB) that have the
// lock callbacks, by weak pointer: a *gorm.DB dropped by its program is not
// kept alive here, and its entry goes with it.
var registered sync.Map

// registerLock adds the lock callbacks to db's callback chains, once per
// root *gorm.DB. Binding happens at the edge of the program, before the
// connection serves statements, which is when GORM allows registering.
func registerLock(db *gorm.DB) {
	cb := db.Callback()
	key := weak.Make(cb)
	if _, loaded := registered.LoadOrStore(key, true); loaded {
		return
	}
	runtime.AddCleanup(cb, func(k any) { registered.Delete(k) }, any(key))
	_ = cb.Create().Before("*").Register(lockCallback, lockStatement)
	_ = cb.Create().After("*").Register(unlockCallback, unlockStatement)
	_ = cb.Query().Before("*").Register(lockCallback, lockStatement)
	_ = cb.Query().After("*").Register(unlockCallback, unlockStatement)
	_ = cb.Update().Before("*").Register(lockCallback, lockStatement)
	_ = cb.Update().After("*").Register(unlockCallback, unlockStatement)
	_ = cb.Delete().Before("*").Register(lockCallback, lockStatement)
	_ = cb.Delete().After("*").Register(unlockCallback, unlockStatement)
	_ = cb.Raw().Before("*").Register(lockCallback, lockStatement)
	_ = cb.Raw().After("*").Register(unlockCallback, unlockStatement)
	_ = cb.Row().Before("*").Register(lockCallback, lockStatement)
	_ = cb.Row().After("*").Register(unlockCallback, unlockStatement)
}

// holdKey marks a statement context that holds a transaction's semaphore.
type holdKey struct{}

// hold is the context of a statement holding the semaphore: the statement's
// own context (before it took the hold) with the hold as a value.
type hold struct {
	context.Context
	tx   *txn
	stmt *gorm.Statement
}

func (h *hold) Value(key any) any {
	if key == (holdKey{}) {
		return h
	}
	return h.Context.Value(key)
}

func lockStatement(db *gorm.DB) {
	ctx := db.Statement.Context
	t := txnOf(ctx, db.Statement.ConnPool)
	if t == nil {
		return
	}
	if h, ok := ctx.Value(holdKey{}).(*hold); ok && h.tx == t {
		return // a statement from a hook of the statement holding it
	}
	if err := t.acquire(ctx); err != nil {
		_ = db.AddError(err)
		return
	}
	db.Statement.Context = &hold{Context: ctx, tx: t, stmt: db.Statement}
	if err := t.flushRelease(ctx); err != nil {
		_ = db.AddError(err)
	}
}

func unlockStatement(db *gorm.DB) {
	if h, ok := db.Statement.Context.Value(holdKey{}).(*hold); ok && h.stmt == db.Statement {
		// A statement may be executed again (a chain kept in a variable):
		// it must not carry the hold into its next run.
		db.Statement.Context = h.Context
		h.tx.releaseSem()
	}
}

// txnOf finds, among the transactions of ctx, the one pool belongs to.
func txnOf(ctx context.Context, pool gorm.ConnPool) *txn {
	if f := frameOf(ctx, pool); f != nil {
		return f.tx
	}
	return nil
}

// frameOf is the innermost frame of ctx on the transaction whose
// connection is pool.
func frameOf(ctx context.Context, pool gorm.ConnPool) *frame {
	if ctx == nil {
		return nil
	}
	for s := innermost(ctx); s != nil; s = s.next {
		if s.frame != nil && s.frame.tx.carries(pool) {
			return s.frame
		}
	}
	return nil
}

// carries reports whether pool is t's connection, as begun or as guarded.
func (t *txn) carries(pool gorm.ConnPool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pool == pool || t.owned == pool
}

// acquire takes the semaphore, or fails when ctx ends first.
func (t *txn) acquire(ctx context.Context) error {
	select {
	case t.sem <- struct{}{}:
		return nil
	default:
	}
	select {
	case t.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return contextEnded(ctx, nil)
	}
}

// releaseSem gives the semaphore back; giving back a free one is a no-op
// (see takeForRollback).
func (t *txn) releaseSem() {
	select {
	case <-t.sem:
	default:
	}
}

// takeForRollback takes the semaphore before a rollback: waiting at most
// RollbackTimeout for a statement of another goroutine to end, or, when fn
// panicked, not at all: a statement that panicked (in a model hook, say)
// never gave the semaphore back, and the rollback takes it over.
func (t *txn) takeForRollback(ctx context.Context, panicking bool) {
	if panicking {
		select {
		case t.sem <- struct{}{}:
		default:
		}
		return
	}
	wait, cancel := context.WithTimeout(context.WithoutCancel(ctx), RollbackTimeout)
	defer cancel()
	_ = t.acquire(wait) // past the timeout, roll back anyway
}
