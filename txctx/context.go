package txctx

import (
	"context"

	"gorm.io/gorm"
)

// dbKey is the context key of the bound connection.
type dbKey struct{}

// WithDB returns a copy of ctx with db bound as the default connection.
func WithDB(ctx context.Context, db *gorm.DB) context.Context {
	return context.WithValue(ctx, dbKey{}, db)
}

// DB returns the session to use in ctx: the connection bound with WithDB, as
// a new session bound to ctx. It panics when no connection is bound, which is
// a wiring mistake (a missing WithDB or middleware), not a runtime condition.
func DB(ctx context.Context) *gorm.DB {
	db, ok := ctx.Value(dbKey{}).(*gorm.DB)
	if !ok || db == nil {
		panic("txctx: no database bound to the context: call txctx.WithDB (or use txctx.Middleware) first")
	}
	return db.WithContext(ctx)
}
