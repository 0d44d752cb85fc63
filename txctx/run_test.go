package txctx_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

var errBoom = errors.New("boom")

func TestRunCommitsOnNil(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if !txctx.InTransaction(ctx) {
				t.Error("InTransaction = false inside Run")
			}
			return insert(ctx, "a")
		})
		if err != nil {
			t.Fatal(err)
		}
		if txctx.InTransaction(ctx) {
			t.Error("InTransaction = true outside Run")
		}
		wantNames(t, db, "a")
		wantPoolIdle(t, db)
	})
}

func TestRunRollsBackOnError(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "a"); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("err = %v, want fn's error", err)
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	})
}

func TestRunRollsBackOnPanicAndRepanics(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var rolledBack bool
		func() {
			defer func() {
				if r := recover(); r != "kaboom" {
					t.Errorf("recovered %v, want the original panic", r)
				}
			}()
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				txctx.AfterRollback(ctx, func(context.Context) { rolledBack = true })
				if err := insert(ctx, "a"); err != nil {
					return err
				}
				panic("kaboom")
			})
		}()
		if !rolledBack {
			t.Error("AfterRollback did not run after the panic")
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	})
}

func TestRunRollsBackOnGoexit(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var wg sync.WaitGroup
		wg.Add(1)
		returned := false
		go func() {
			defer wg.Done()
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				if err := insert(ctx, "a"); err != nil {
					return err
				}
				runtime.Goexit()
				return nil
			})
			returned = true
		}()
		wg.Wait()
		if returned {
			t.Fatal("Run returned after runtime.Goexit")
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	})
}

func TestRunReportsCommitFailure(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		commitFailure(t, db)
		// A deferred foreign key violated in the transaction fails its COMMIT.
		err := txctx.Run(ctx, violateAtCommit)
		if !errors.Is(err, txctx.ErrCommit) {
			t.Fatalf("err = %v, want ErrCommit", err)
		}
		wantPoolIdle(t, db)
	})
}

// TestRunReportsRollbackFailure kills the transaction's connection from the
// server side, so that the ROLLBACK after fn's error cannot be sent. Only
// PostgreSQL can do that to a live connection.
func TestRunReportsRollbackFailure(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("needs PostgreSQL (pg_terminate_backend)")
	}
	db := testdb.Open(t, testdb.Postgres)
	ctx := bind(t, db)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		var pid int
		if err := txctx.DB(ctx).Raw("SELECT pg_backend_pid()").Scan(&pid).Error; err != nil {
			return err
		}
		if err := db.Exec("SELECT pg_terminate_backend(?)", pid).Error; err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) || !errors.Is(err, txctx.ErrRollback) {
		t.Fatalf("err = %v, want fn's error joined with ErrRollback", err)
	}
	wantPoolIdle(t, db)
}

func TestRunWithoutBindingFails(t *testing.T) {
	err := txctx.Run(context.Background(), func(context.Context) error { return nil })
	if !errors.Is(err, txctx.ErrNotBound) {
		t.Fatalf("err = %v, want ErrNotBound", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("DB without binding did not panic")
		}
	}()
	txctx.DB(context.Background())
}
