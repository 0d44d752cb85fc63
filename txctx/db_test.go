package txctx_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

type ctxMark struct{}

// DB returns a fresh session bound to the ctx of each call: conditions added
// by one caller never leak into another's query.
func TestDBIsAFreshSessionBoundToCtx(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		check := func(ctx context.Context) {
			t.Helper()
			for _, n := range []string{"a", "b"} {
				if err := insert(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
			half := txctx.DB(ctx).Where("name = ?", "a")
			var got []item
			if err := txctx.DB(ctx).Find(&got).Error; err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Errorf("DB(ctx) after another caller's Where found %d rows, want 2", len(got))
			}
			var one []item
			half.Find(&one)
			half.Where("name = ?", "b").Find(&got)
			if len(one) != 1 {
				t.Errorf("chained query found %d rows, want 1", len(one))
			}
			marked := context.WithValue(ctx, ctxMark{}, 1)
			if txctx.DB(marked).Statement.Context != marked {
				t.Error("DB(ctx) is not bound to the ctx it was called with")
			}
		}
		check(ctx)
		if err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := txctx.DB(ctx).Where("1 = 1").Delete(&item{}).Error; err != nil {
				return err
			}
			check(ctx)
			return errBoom
		}); !errors.Is(err, errBoom) {
			t.Fatal(err)
		}
		wantNames(t, db, "a", "b")
	})
}

// DB inside Run is the transaction: on PostgreSQL its rows are invisible to
// other connections until the commit.
func TestDBInsideRunIsTheTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "in-tx"); err != nil {
				t.Fatal(err)
			}
			var n int64
			txctx.DB(ctx).Model(&item{}).Count(&n)
			if n != 1 {
				t.Errorf("count inside the transaction = %d, want 1", n)
			}
			if db.Dialector.Name() == "postgres" {
				db.Model(&item{}).Count(&n)
				if n != 0 {
					t.Errorf("count from another connection = %d, want 0 before commit", n)
				}
			}
			return errBoom
		})
		wantNames(t, db)
	})
}

func TestNamedConnectionsAreSeparate(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			main := testdb.Open(t, kind)
			analytics := testdb.Open(t, kind)
			ctx := bind(t, main)
			ctx = txctx.WithNamedDB(ctx, "analytics", analytics)
			if err := analytics.AutoMigrate(&item{}); err != nil {
				t.Fatal(err)
			}
			err := txctx.Run(ctx, func(ctx context.Context) error {
				if !txctx.InNamedTransaction(ctx, "analytics") || txctx.InNamedTransaction(ctx, txctx.DefaultName) {
					t.Error("the analytics transaction leaked to the default connection")
				}
				// Default connection: no transaction, written at once.
				if err := txctx.NamedDB(ctx, txctx.DefaultName).Create(&item{Name: "main"}).Error; err != nil {
					return err
				}
				if err := insert(ctx, "analytics"); err != nil { // DB(ctx): the analytics transaction
					return err
				}
				// A nested Run on the default connection is a real
				// transaction, not a savepoint of the analytics one.
				return txctx.Run(ctx, func(ctx context.Context) error {
					if !txctx.InTransaction(ctx) || !txctx.InNamedTransaction(ctx, txctx.DefaultName) {
						t.Error("default Run inside analytics Run: not in a transaction on the default connection")
					}
					return insert(ctx, "main-2")
				}, txctx.On(txctx.DefaultName))
			}, txctx.On("analytics"))
			if err != nil {
				t.Fatal(err)
			}
			wantNames(t, main, "main", "main-2")
			wantNames(t, analytics, "analytics")

			err = txctx.Run(ctx, func(ctx context.Context) error {
				_ = txctx.NamedDB(ctx, "analytics").Create(&item{Name: "dropped"}).Error
				return errBoom
			}, txctx.On("analytics"))
			if !errors.Is(err, errBoom) {
				t.Fatal(err)
			}
			wantNames(t, analytics, "analytics")
			if err := txctx.Run(ctx, nil, txctx.On("nope")); !errors.Is(err, txctx.ErrNotBound) {
				t.Errorf("Run on an unbound name: %v, want ErrNotBound", err)
			}
		})
	}
}

// One handle from DB, chained on several times, starts a new statement each
// time; GORM's own API (here its nested Transaction) works on it.
func TestDBHandleReuse(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			d := txctx.DB(ctx)
			for _, n := range []string{"a", "b"} {
				if err := d.Create(&item{Name: n}).Error; err != nil {
					return err
				}
			}
			var one, all []item
			if err := d.Where("name = ?", "a").Find(&one).Error; err != nil {
				return err
			}
			if err := d.Find(&all).Error; err != nil {
				return err
			}
			if len(one) != 1 || len(all) != 2 {
				t.Errorf("filtered %d, all %d: want 1 and 2", len(one), len(all))
			}
			return d.Transaction(func(tx *gorm.DB) error {
				return tx.Create(&item{Name: "gorm-nested"}).Error
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "a", "b", "gorm-nested")
	})
}
