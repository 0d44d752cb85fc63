package txctx_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

// gormConfigs are the GORM configurations the transaction-control rules
// are checked under.
var gormConfigs = []struct {
	name    string
	session func(*gorm.DB) *gorm.DB
}{
	{"default", func(db *gorm.DB) *gorm.DB { return db }},
	{"PrepareStmt", func(db *gorm.DB) *gorm.DB { return db.Session(&gorm.Session{PrepareStmt: true}) }},
}

// manualScopes are the ways a transaction is bound to fn's context.
var manualScopes = []struct {
	name string
	run  func(ctx context.Context, fn func(context.Context) error) error
}{
	{"Run", func(ctx context.Context, fn func(context.Context) error) error { return txctx.Run(ctx, fn) }},
	{"nested Run", func(ctx context.Context, fn func(context.Context) error) error {
		return txctx.Run(ctx, func(ctx context.Context) error { return txctx.Run(ctx, fn) })
	}},
	{"RunNew", func(ctx context.Context, fn func(context.Context) error) error { return txctx.RunNew(ctx, fn) }},
}

// Commit and Rollback on the session of a transaction owned by Run are
// refused with ErrManualTxControl before anything is sent: the transaction
// goes on, and Run commits it when fn returns nil. Begin on it fails with
// GORM's ErrInvalidTransaction.
func TestManualTransactionControlIsRefused(t *testing.T) {
	calls := []struct {
		name string
		call func(*gorm.DB) error
		want error
	}{
		{"Commit", func(db *gorm.DB) error { return db.Commit().Error }, txctx.ErrManualTxControl},
		{"Rollback", func(db *gorm.DB) error { return db.Rollback().Error }, txctx.ErrManualTxControl},
		{"Begin", func(db *gorm.DB) error { return db.Begin().Error }, gorm.ErrInvalidTransaction},
	}
	testdb.Run(t, func(t *testing.T, raw *gorm.DB) {
		bind(t, raw)
		for _, cfg := range gormConfigs {
			for _, sc := range manualScopes {
				for _, c := range calls {
					t.Run(cfg.name+"/"+sc.name+"/"+c.name, func(t *testing.T) {
						resetItems(t, raw)
						ctx := txctx.WithDB(context.Background(), cfg.session(raw))
						var callErr error
						err := sc.run(ctx, func(ctx context.Context) error {
							if err := insert(ctx, "before"); err != nil {
								return err
							}
							callErr = c.call(txctx.DB(ctx))
							if raw.Dialector.Name() == "postgres" {
								wantNames(t, raw) // nothing committed yet
							}
							return insert(ctx, "after") // the transaction goes on
						})
						if !errors.Is(callErr, c.want) {
							t.Fatalf("%s err = %v, want %v", c.name, callErr, c.want)
						}
						if err != nil {
							t.Fatalf("Run err = %v, want nil", err)
						}
						wantNames(t, raw, "after", "before")
						wantPoolIdle(t, raw)
					})
				}
			}
		}
	})
}

// What stays legal on the session of a transaction owned by Run: GORM's
// Transaction (a savepoint), SavePoint and RollbackTo, Rows, and DB().
func TestManualSavepointsStillWork(t *testing.T) {
	testdb.Run(t, func(t *testing.T, raw *gorm.DB) {
		bind(t, raw)
		for _, cfg := range gormConfigs {
			t.Run(cfg.name, func(t *testing.T) {
				resetItems(t, raw)
				ctx := txctx.WithDB(context.Background(), cfg.session(raw))
				err := txctx.Run(ctx, func(ctx context.Context) error {
					if err := txctx.DB(ctx).Transaction(func(tx *gorm.DB) error {
						return tx.Create(&item{Name: "kept"}).Error
					}); err != nil {
						return err
					}
					if err := txctx.DB(ctx).Transaction(func(tx *gorm.DB) error {
						_ = tx.Create(&item{Name: "undone by Transaction"}).Error
						return errBoom
					}); !errors.Is(err, errBoom) {
						t.Errorf("Transaction err = %v, want errBoom", err)
					}
					db := txctx.DB(ctx)
					if err := db.SavePoint("manual").Error; err != nil {
						return err
					}
					if err := insert(ctx, "undone by RollbackTo"); err != nil {
						return err
					}
					if err := db.RollbackTo("manual").Error; err != nil {
						return err
					}
					rows, err := txctx.DB(ctx).Model(&item{}).Select("name").Rows()
					if err != nil {
						return err
					}
					n := 0
					for rows.Next() {
						n++
					}
					if err := rows.Close(); err != nil {
						return err
					}
					if n != 1 {
						t.Errorf("Rows saw %d rows, want 1", n)
					}
					if _, err := txctx.DB(ctx).DB(); err != nil {
						t.Errorf("DB() = %v", err)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				wantNames(t, raw, "kept")
				wantPoolIdle(t, raw)
			})
		}
	})
}

// commitFailure sets up tables whose deferred foreign key makes the COMMIT
// of a transaction that called violateAtCommit fail, on both databases: the
// way to provoke ErrCommit now that a manual Rollback is refused.
func commitFailure(t testing.TB, db *gorm.DB) {
	t.Helper()
	for _, stmt := range []string{
		"CREATE TABLE deferred_parent (id integer PRIMARY KEY)",
		"CREATE TABLE deferred_child (parent_id integer REFERENCES deferred_parent (id) DEFERRABLE INITIALLY DEFERRED)",
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// violateAtCommit writes a row whose foreign key is checked at COMMIT, and
// fails it.
func violateAtCommit(ctx context.Context) error {
	return txctx.DB(ctx).Exec("INSERT INTO deferred_child (parent_id) VALUES (1)").Error
}

// A transaction the caller began and bound (WithTx, and so txtest) is
// ended by the caller, through its own handle: Commit and Rollback on the
// session DB(ctx) hands out are refused, in the transaction and in a Run
// inside it, so a test cannot commit the transaction txtest rolls back.
func TestManualControlOfABoundTransactionIsRefused(t *testing.T) {
	calls := map[string]func(*gorm.DB) error{
		"Commit":   func(db *gorm.DB) error { return db.Commit().Error },
		"Rollback": func(db *gorm.DB) error { return db.Rollback().Error },
	}
	testdb.Run(t, func(t *testing.T, raw *gorm.DB) {
		bind(t, raw)
		for _, cfg := range gormConfigs {
			for name, call := range calls {
				t.Run(cfg.name+"/WithTx/"+name, func(t *testing.T) {
					resetItems(t, raw)
					tx := cfg.session(raw).Begin()
					ctx := txctx.WithTx(context.Background(), tx)
					if err := insert(ctx, "bound"); err != nil {
						t.Fatal(err)
					}
					if err := call(txctx.DB(ctx)); !errors.Is(err, txctx.ErrManualTxControl) {
						t.Fatalf("%s on DB(ctx) = %v, want ErrManualTxControl", name, err)
					}
					err := txctx.Run(ctx, func(ctx context.Context) error {
						if err := call(txctx.DB(ctx)); !errors.Is(err, txctx.ErrManualTxControl) {
							t.Errorf("%s inside Run = %v, want ErrManualTxControl", name, err)
						}
						return insert(ctx, "in Run")
					})
					if err != nil {
						t.Fatal(err)
					}
					if err := tx.Rollback().Error; err != nil {
						t.Fatalf("the caller's own Rollback: %v", err)
					}
					wantNames(t, raw)
					wantPoolIdle(t, raw)
				})
				t.Run(cfg.name+"/txtest/"+name, func(t *testing.T) {
					resetItems(t, raw)
					t.Run("test", func(t *testing.T) {
						ctx := txtest.Context(t, cfg.session(raw))
						if err := insert(ctx, "in test"); err != nil {
							t.Fatal(err)
						}
						if err := call(txctx.DB(ctx)); !errors.Is(err, txctx.ErrManualTxControl) {
							t.Fatalf("%s on DB(ctx) = %v, want ErrManualTxControl", name, err)
						}
					})
					wantNames(t, raw) // rolled back at the test's cleanup
					wantPoolIdle(t, raw)
				})
			}
		}
	})
}
