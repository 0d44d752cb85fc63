package txtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/txctx"
)

// Context begins a transaction on db, rolled back at tb's cleanup, and
// returns tb's context with that transaction bound as the default
// connection's (see txctx.WithTx).
func Context(tb testing.TB, db *gorm.DB) context.Context {
	tb.Helper()
	return NamedContext(tb, db, "")
}

// NamedContext is Context for the connection bound under name.
func NamedContext(tb testing.TB, db *gorm.DB, name string) context.Context {
	tb.Helper()
	return bind(tb, tb.Context(), name, db)
}

// Connections is Context for several connections: each one of dbs is
// bound under its name (txctx.DefaultName or "" for the default one) to a
// test transaction of its own, as txctx.WithConnections binds them in
// production. Pass database.Connections.All().
func Connections(tb testing.TB, dbs map[string]*gorm.DB) context.Context {
	tb.Helper()
	ctx := tb.Context()
	for _, name := range slices.Sorted(maps.Keys(dbs)) {
		ctx = bind(tb, ctx, name, dbs[name])
	}
	return ctx
}

// bind binds a test transaction on db under name to ctx.
func bind(tb testing.TB, ctx context.Context, name string, db *gorm.DB) context.Context {
	tb.Helper()
	tx := begin(tb, db)
	var newTx func() (*gorm.DB, error)
	if db.Dialector == nil || db.Dialector.Name() != "sqlite" {
		// RunNew: a test transaction of its own on a second connection.
		newTx = func() (*gorm.DB, error) { return beginErr(tb, db) }
	}
	return txctx.WithNamedTestTx(ctx, name, tx, newTx)
}

// begin begins a transaction on db, rolled back at tb's cleanup.
func begin(tb testing.TB, db *gorm.DB) *gorm.DB {
	tb.Helper()
	tx, err := beginErr(tb, db)
	if err != nil {
		tb.Fatalf("txtest: %v", err)
	}
	return tx
}

func beginErr(tb testing.TB, db *gorm.DB) (*gorm.DB, error) {
	tx := db.Session(&gorm.Session{NewDB: true, Context: context.Background()}).Begin()
	if tx.Error != nil {
		return nil, fmt.Errorf("begin: %w", tx.Error)
	}
	tb.Cleanup(func() {
		if err := tx.Rollback().Error; err != nil && !errors.Is(err, sql.ErrTxDone) {
			tb.Errorf("txtest: rollback: %v", err)
		}
	})
	if err := boundLockWaits(tx); err != nil {
		return nil, err
	}
	return tx, nil
}

// LockTimeout bounds, on PostgreSQL, how long a statement of a test
// transaction waits for a row lock. The transactions of a test (its own,
// and those its RunNew calls run in) end only at its cleanup, so a wait of
// one on another's uncommitted rows (the test inserting a key a RunNew
// inserted) would last until the test binary's timeout; past LockTimeout
// it fails with SQLSTATE 55P03 (lock_not_available) instead.
const LockTimeout = 10 * time.Second

// boundLockWaits sets LockTimeout on a PostgreSQL test transaction.
func boundLockWaits(tx *gorm.DB) error {
	if tx.Dialector == nil || tx.Dialector.Name() != "postgres" {
		return nil
	}
	q := fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", LockTimeout.Milliseconds())
	if err := tx.Exec(q).Error; err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}

// Run runs body with a context from Context: everything body writes
// through txctx is rolled back when Run returns.
func Run(t *testing.T, db *gorm.DB, body func(ctx context.Context)) {
	t.Helper()
	t.Run("txtest", func(t *testing.T) {
		body(Context(t, db))
	})
}
