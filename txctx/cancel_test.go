package txctx_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

func TestCancellationRollsBackAndFreesTheConnection(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		base := bind(t, db)
		for _, swallow := range []bool{false, true} {
			ctx, cancel := context.WithCancel(base)
			var r recorder
			err := txctx.Run(ctx, func(ctx context.Context) error {
				txctx.AfterRollback(ctx, r.add("rolled back"))
				if err := insert(ctx, "cancelled"); err != nil {
					return err
				}
				cancel()
				err := insert(ctx, "after cancel")
				if swallow {
					return nil // fn ignores the failure: Run must not commit
				}
				return err
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("swallow=%v: err = %v, want context.Canceled", swallow, err)
			}
			r.want(t, "rolled back")
			wantPoolIdle(t, db)
		}
		wantNames(t, db)
		// The connection went back clean: it serves a new transaction.
		if err := txctx.Run(base, func(ctx context.Context) error { return insert(ctx, "next") }); err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "next")
	})
}

func TestCancellationInSavepoint(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "outer"); err != nil {
				return err
			}
			inner, cancel := context.WithCancel(ctx)
			err := txctx.Run(inner, func(ctx context.Context) error {
				_ = insert(ctx, "inner")
				cancel()
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("savepoint err = %v, want context.Canceled", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "outer")
	})
}

func TestCancelledBeforeBegin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithCancel(bind(t, db))
		cancel()
		called := false
		err := txctx.Run(ctx, func(context.Context) error { called = true; return nil })
		if !errors.Is(err, context.Canceled) || called {
			t.Fatalf("err = %v, fn called = %v", err, called)
		}
		wantPoolIdle(t, db)
	})
}
