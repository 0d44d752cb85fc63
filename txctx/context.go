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
	return c.Context.Value(key)
}

// scope is what a context carries for one connection: the bound *gorm.DB
// and, inside a transaction, the frame (transaction or savepoint) that is
// current for this context. Scopes of several connections form a list,
// innermost first.
type scope struct {
	name  string
	db    *gorm.DB
	frame *frame // nil outside a transaction
	next  *scope
}

// WithDB returns a copy of ctx with db bound as the default connection,
// outside any transaction.
func WithDB(ctx context.Context, db *gorm.DB) context.Context {
	return WithNamedDB(ctx, "", db)
}

// WithNamedDB returns a copy of ctx with db bound under name, outside any
// transaction. Run and RunNew choose it with On(name); NamedDB returns it.
func WithNamedDB(ctx context.Context, name string, db *gorm.DB) context.Context {
	registerLock(db)
	return push(ctx, name, db, nil)
}

// DB returns the session to use in ctx on the default connection: the
// innermost transaction (or savepoint) open in ctx, or the connection bound
// with WithDB when none is. The result is a new session bound to ctx on
// every call: chain on it freely, it is shared with nobody.
//
// DB panics when no connection is bound, which is a wiring mistake (a
// missing WithDB or Middleware), not a runtime condition. When ctx belongs
// to a scope that is not the innermost of its transaction (see
// ErrConcurrentUse), the session carries that error and runs nothing.
func DB(ctx context.Context) *gorm.DB { return NamedDB(ctx, "") }

// NamedDB is DB for the connection bound under name with WithNamedDB.
func NamedDB(ctx context.Context, name string) *gorm.DB {
	s := lookup(ctx, name)
	if s == nil {
		panic("txctx: no database bound to the context under name " + quoteName(name) +
			": call txctx.WithDB / WithNamedDB (or use txctx.Middleware) first")
	}
	if s.frame == nil {
		return s.db.WithContext(ctx)
	}
	return s.frame.tx.session(ctx, s.frame)
}

// InTransaction reports whether ctx is inside a transaction on the default
// connection (a Run, a Middleware request or a WithTx binding).
func InTransaction(ctx context.Context) bool { return InNamedTransaction(ctx, "") }

// InNamedTransaction is InTransaction for the connection bound under name.
func InNamedTransaction(ctx context.Context, name string) bool {
	s := lookup(ctx, name)
	return s != nil && s.frame != nil
}

func push(ctx context.Context, name string, db *gorm.DB, f *frame) context.Context {
	next, _ := ctx.Value(scopeKey{}).(*scope)
	return &scopeCtx{Context: ctx, s: scope{name: name, db: db, frame: f, next: next}}
}

func lookup(ctx context.Context, name string) *scope {
	s, _ := ctx.Value(scopeKey{}).(*scope)
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

func quoteName(name string) string {
	if name == "" {
		return `"" (the default)`
	}
	return `"` + name + `"`
}

// WithTx binds tx, a transaction the caller began and will end itself, as
// the open transaction of the default connection: DB returns it, and Run
// becomes a savepoint in it. A first-level Run stands for a transaction:
// its AfterCommit callbacks run when it is released, its AfterRollback
// callbacks when it rolls back. Package txtest is built on it.
func WithTx(ctx context.Context, tx *gorm.DB) context.Context {
	return WithNamedTx(ctx, "", tx)
}

// WithNamedTx is WithTx for the connection name.
func WithNamedTx(ctx context.Context, name string, tx *gorm.DB) context.Context {
	registerLock(tx)
	t := &txn{conn: tx, external: true, base: tx, pool: tx.Statement.ConnPool, sem: make(chan struct{}, 1)}
	t.sqlite = tx.Dialector != nil && tx.Dialector.Name() == "sqlite"
	t.root.tx = t
	t.top = &t.root
	return push(ctx, name, tx, &t.root)
}
