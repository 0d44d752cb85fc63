package txctx_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

func TestNestedRunIsASavepoint(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "outer-before"); err != nil {
				return err
			}
			err := txctx.Run(ctx, func(ctx context.Context) error {
				if err := insert(ctx, "inner-failed"); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Errorf("nested err = %v, want fn's error", err)
			}
			if err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "inner-ok") }); err != nil {
				return err
			}
			return insert(ctx, "outer-after")
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "outer-before", "inner-ok", "outer-after")
		wantPoolIdle(t, db)
	})
}

func TestNestedRunPanicRollsBackToSavepoint(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "kept"); err != nil {
				return err
			}
			func() {
				defer func() { _ = recover() }()
				_ = txctx.Run(ctx, func(ctx context.Context) error {
					_ = insert(ctx, "dropped")
					panic("inner")
				})
			}()
			return insert(ctx, "after")
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "kept", "after")
	})
}

// TestSavepointsAreReleased checks that a released savepoint no longer
// exists: ROLLBACK TO it must fail.
func TestSavepointsAreReleased(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			if err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "a") }); err != nil {
				t.Fatal(err)
			}
			if err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "b") }); err != nil {
				t.Fatal(err)
			}
			// The savepoints were named sp_1 and sp_2 and are released.
			for _, name := range []string{"sp_1", "sp_2"} {
				if err := txctx.DB(ctx).Exec("RELEASE SAVEPOINT " + name).Error; err == nil {
					t.Errorf("savepoint %s still exists after Run returned", name)
				}
				if db.Dialector.Name() == "postgres" {
					return errBoom // the failed statement aborted the transaction
				}
			}
			return nil
		})
	})
}

func TestDeeplyNestedSavepoints(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var level func(ctx context.Context, n int) error
		level = func(ctx context.Context, n int) error {
			return txctx.Run(ctx, func(ctx context.Context) error {
				if err := insert(ctx, string(rune('a'+n))); err != nil {
					return err
				}
				if n == 5 {
					return errBoom
				}
				if err := level(ctx, n+1); err != nil && n != 3 {
					return err
				}
				return nil
			})
		}
		if err := level(ctx, 0); err != nil {
			t.Fatal(err)
		}
		// Levels 4 and 5 rolled back; level 3 swallowed the error.
		wantNames(t, db, "a", "b", "c", "d")
	})
}
