package txtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

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
	tx := begin(tb, db)
	var newTx func() (*gorm.DB, error)
	if db.Dialector == nil || db.Dialector.Name() != "sqlite" {
		// RunNew: a test transaction of its own on a second connection.
		newTx = func() (*gorm.DB, error) { return beginErr(tb, db) }
	}
	return txctx.WithNamedTestTx(tb.Context(), name, tx, newTx)
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
	return tx, nil
}

// Run runs body with a context from Context: everything body writes
// through txctx is rolled back when Run returns.
func Run(t *testing.T, db *gorm.DB, body func(ctx context.Context)) {
	t.Helper()
	t.Run("txtest", func(t *testing.T) {
		body(Context(t, db))
	})
}
