package txctx

import (
	"context"

	"gorm.io/gorm"
)

// scopeKey is the context key of the innermost scope.
type scopeKey struct{}

// scopeCtx is the context carrying a scope: one allocation where
// context.WithValue and the scope would take two.
type scopeCtx struct {
	context.Context
	s scope
}

func (c *scopeCtx) Value(key any) any {
	if key == (scopeKey{}) {
		return &c.s
	}
	if f := c.s.frame; f != nil && f == &f.tx.root {
		// A Middleware request's transaction, once begun under an
		// observer: the context the observer returned (see Observer).
		if v, ok := f.tx.observedValue(key); ok {
			return v
		}
	}
	return c.Context.Value(key)
}

// scope is what a context carries for one connection: the bound *gorm.DB
// and, inside a transaction, the frame (transaction or savepoint) that is
// current for this context. Scopes of several connections form a list,
// innermost first.
type scope struct {
	name    string
	db      *gorm.DB
	frame   *frame // nil outside a transaction
	current bool   // pushed by Run, RunNew or Middleware: DB uses this connection
	next    *scope
}

// WithDB returns a copy of ctx with db bound as the default connection,
// outside any transaction.
func WithDB(ctx context.Context, db *gorm.DB) context.Context {
	return WithNamedDB(ctx, "", db)
}

// WithNamedDB returns a copy of ctx with db bound under name, outside any
// transaction. Run and RunNew choose it with On(name); NamedDB returns it.
//
// The names "" and [DefaultName] ("default", database.DefaultName) are the
// same connection, the default one.
func WithNamedDB(ctx context.Context, name string, db *gorm.DB) context.Context {
	registerLock(db)
	return push(ctx, canonical(name), db, nil, false)
}

// DB returns the session to use in ctx: inside Run or RunNew, the
// transaction (or savepoint) of the innermost one, on whichever connection
// it was run (On); outside any, the default connection bound with WithDB.
// The result is a new session bound to ctx on every call: chain on it
// freely, it is shared with nobody. NamedDB picks a connection by name.
//
// DB panics when no connection is bound, which is a wiring mistake (a
// missing WithDB or Middleware), not a runtime condition. When ctx belongs
// to a scope that is not the innermost of its transaction (see
// ErrConcurrentUse), the session carries that error and runs nothing.
func DB(ctx context.Context) *gorm.DB {
	top := innermost(ctx)
	name := currentIn(top)
	return scopeSession(ctx, name, find(top, name))
}

// NamedDB is DB for the connection bound under name with WithNamedDB: its
// innermost transaction in ctx, or the connection itself outside one.
func NamedDB(ctx context.Context, name string) *gorm.DB {
	name = canonical(name)
	return scopeSession(ctx, name, lookup(ctx, name))
}

// scopeSession is what DB and NamedDB return for s, the scope of name in ctx.
func scopeSession(ctx context.Context, name string, s *scope) *gorm.DB {
	if s == nil {
		panic("txctx: no database bound to the context under name " + quoteName(name) +
			": call txctx.WithDB / WithNamedDB (or use txctx.Middleware) first")
	}
	if s.frame == nil {
		return s.db.WithContext(ctx)
	}
	return s.frame.tx.session(ctx, s.frame)
}

// InTransaction reports whether DB(ctx) is a transaction: ctx is inside a
// Run, RunNew or Middleware request, or, outside those, the default
// connection is bound to a transaction (WithTx).
func InTransaction(ctx context.Context) bool { return InNamedTransaction(ctx, currentName(ctx)) }

// InNamedTransaction is InTransaction for the connection bound under name.
func InNamedTransaction(ctx context.Context, name string) bool {
	s := lookup(ctx, canonical(name))
	return s != nil && s.frame != nil
}

// push binds db under name (canonical) in a copy of ctx; a current scope
// makes name the connection of DB.
func push(ctx context.Context, name string, db *gorm.DB, f *frame, current bool) context.Context {
	next, _ := ctx.Value(scopeKey{}).(*scope)
	return &scopeCtx{Context: ctx, s: scope{name: name, db: db, frame: f, current: current, next: next}}
}

func lookup(ctx context.Context, name string) *scope { return find(innermost(ctx), name) }

// find returns the first scope of name from s outwards, or nil.
func find(s *scope, name string) *scope {
	for ; s != nil; s = s.next {
		if s.name == name {
			return s
		}
	}
	return nil
}

// innermost returns the innermost scope of ctx, whatever its connection.
func innermost(ctx context.Context) *scope {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	return s
}

// currentName is the connection of the innermost Run, RunNew or
// Middleware request of ctx, "" (the default) outside any.
func currentName(ctx context.Context) string { return currentIn(innermost(ctx)) }

// currentIn is currentName from the scope s outwards.
func currentIn(s *scope) string {
	for ; s != nil; s = s.next {
		if s.current {
			return s.name
		}
	}
	return ""
}

// WithTx binds tx, a transaction the caller began and will end itself, as
// the open transaction of the default connection: DB returns it, and Run
// becomes a savepoint in it. A first-level Run stands for a transaction:
// its AfterCommit callbacks run when it is released, its AfterRollback
// callbacks when it rolls back. Commit and Rollback on what DB returns are
// refused with ErrManualTxControl: end tx through tx itself. Package txtest
// is built on it.
func WithTx(ctx context.Context, tx *gorm.DB) context.Context {
	return WithNamedTx(ctx, "", tx)
}

// WithNamedTx is WithTx for the connection name.
func WithNamedTx(ctx context.Context, name string, tx *gorm.DB) context.Context {
	registerLock(tx)
	t := externalTxn(tx)
	name = canonical(name)
	t.observing(name, 1, nil)
	return push(ctx, name, tx, &t.root, false)
}

// externalTxn wraps a transaction begun by the caller. DB(ctx) hands out
// a copy of tx whose connection refuses Commit and Rollback (see
// manual.go): the transaction is ended by whoever began it, through tx.
func externalTxn(tx *gorm.DB) *txn {
	t := &txn{conn: tx, external: true, pool: tx.Statement.ConnPool, sem: make(chan struct{}, 1),
		ob: newObserved(tx)}
	t.owned = guard(t, t.pool)
	t.base = tx.Session(&gorm.Session{Context: tx.Statement.Context}) // a statement of its own
	t.base.Statement.ConnPool = t.owned
	t.sqlite = tx.Dialector != nil && tx.Dialector.Name() == "sqlite"
	if isDryRun(tx) {
		t.pool = &dryTx{t: t} // txctx's savepoints are not sent
	}
	t.root.tx = t
	t.top = &t.root
	return t
}

// poolOf returns a session on the pool that tx, a transaction begun by
// the caller, was begun from: where RunNew begins under WithTx.
func poolOf(tx *gorm.DB) *gorm.DB {
	db := tx.Session(&gorm.Session{NewDB: true, Context: context.Background()})
	db.Statement.ConnPool = db.Config.ConnPool
	return db
}
