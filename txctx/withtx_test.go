package txctx_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// Under a transaction bound with WithTx, RunNew begins a real transaction
// on the pool the bound one came from (it used to fail with "invalid
// transaction"), and commits it on its own.
func TestRunNewUnderWithTx(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		tx := db.Begin()
		if tx.Error != nil {
			t.Fatal(tx.Error)
		}
		ctx := txctx.WithTx(context.Background(), tx)
		if err := txctx.RunNew(ctx, func(ctx context.Context) error { return insert(ctx, "independent") }); err != nil {
			t.Fatalf("RunNew under WithTx: %v", err)
		}
		if err := tx.Rollback().Error; err != nil {
			t.Fatal(err)
		}
		wantRaw(t, "the database", db, "independent")
	})
}
