package reliability_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/txctx"
)

func scanInt(dst *int) func(*sql.Rows) error {
	return func(r *sql.Rows) error { return r.Scan(dst) }
}

func scanString(dst *string) func(*sql.Rows) error {
	return func(r *sql.Rows) error { return r.Scan(dst) }
}

// checkRows fails t unless every id of present is in rowsTable and no id of
// absent is.
func checkRows(t *testing.T, srv *pgfault.Server, present, absent []int64) {
	t.Helper()
	l := newLedger()
	for _, id := range present {
		l.acked[id] = true
	}
	for _, id := range absent {
		l.rejected[id] = true
	}
	l.verify(t, srv, rowsTable)
}

// checkUsable waits until no connection is in use, then checks that a
// transaction still commits.
func checkUsable(t *testing.T, db *gorm.DB) {
	t.Helper()
	waitIdle(t, db)
	ctx := txctx.WithDB(context.Background(), db)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		return txctx.DB(ctx).Exec("SELECT 1").Error
	}, txctx.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatalf("a transaction after the fault: %v", err)
	}
	waitIdle(t, db)
}
