package txctx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// raiseSQLState makes PostgreSQL itself fail with the given SQLSTATE.
func raiseSQLState(ctx context.Context, code string) error {
	return txctx.DB(ctx).Exec("DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '" + code + "'; END $$").Error
}

func postgresOnly(t *testing.T) *gorm.DB {
	t.Helper()
	if testdb.PostgresDSN() == "" {
		t.Skip("serialization failures are PostgreSQL's (SQLSTATE 40001, 40P01)")
	}
	return testdb.Open(t, testdb.Postgres)
}

func TestRetryOnSerializationFailureAndDeadlock(t *testing.T) {
	db := postgresOnly(t)
	ctx := bind(t, db)
	for _, code := range []string{"40001", "40P01"} {
		attempts, committed := 0, 0
		err := txctx.Run(ctx, func(ctx context.Context) error {
			attempts++
			txctx.AfterCommit(ctx, func(context.Context) { committed++ })
			if err := insert(ctx, "try"); err != nil {
				return err
			}
			if attempts < 3 {
				return raiseSQLState(ctx, code)
			}
			return nil
		}, txctx.WithRetry(5), txctx.WithRetryBackoff(time.Millisecond, 2*time.Millisecond))
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if attempts != 3 || committed != 1 {
			t.Errorf("%s: attempts = %d, after-commit runs = %d; want 3 and 1", code, attempts, committed)
		}
	}
	wantNames(t, db, "try", "try")
}

func TestRetryGivesUpWithTheLastError(t *testing.T) {
	db := postgresOnly(t)
	ctx := bind(t, db)
	attempts := 0
	err := txctx.Run(ctx, func(ctx context.Context) error {
		attempts++
		return raiseSQLState(ctx, "40001")
	}, txctx.WithRetry(3), txctx.WithRetryBackoff(time.Millisecond, time.Millisecond))
	if !txctx.IsSerializationFailure(err) || attempts != 3 {
		t.Fatalf("err = %v after %d attempts, want a serialization failure after 3", err, attempts)
	}
}

// A serialization failure inside a savepoint dooms the whole transaction,
// even when fn swallows the savepoint's error.
func TestSerializationFailureInSavepointRetriesTheWhole(t *testing.T) {
	db := postgresOnly(t)
	ctx := bind(t, db)
	attempts := 0
	err := txctx.Run(ctx, func(ctx context.Context) error {
		attempts++
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			if attempts == 1 {
				return raiseSQLState(ctx, "40001")
			}
			return nil
		})
		return insert(ctx, "whole")
	}, txctx.WithRetry(3), txctx.WithRetryBackoff(time.Millisecond, time.Millisecond))
	if err != nil || attempts != 2 {
		t.Fatalf("err = %v after %d attempts, want success after 2", err, attempts)
	}
	wantNames(t, db, "whole")
}

// The backoff is drawn uniformly up to its cap (full jitter), so the cap is
// set far past the deadline: a draw shorter than 10 s has odds of 3e-7.
func TestRetryHonoursTheDeadline(t *testing.T) {
	db := postgresOnly(t)
	ctx := bind(t, db)
	attempts := 0
	err := txctx.Run(ctx, func(ctx context.Context) error {
		attempts++
		return raiseSQLState(ctx, "40001")
	}, txctx.WithRetry(1000), txctx.WithRetryBackoff(10000*time.Hour, 10000*time.Hour), txctx.WithTimeout(10*time.Second))
	if !txctx.IsSerializationFailure(err) || attempts != 1 {
		t.Fatalf("err = %v after %d attempts: a backoff past the deadline must give up at once", err, attempts)
	}
}

// SQLite's "database is locked" is not retried by default; WithRetryIf
// adds a condition.
func TestRetryConditions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		attempts := 0
		err := txctx.Run(ctx, func(ctx context.Context) error {
			attempts++
			return errBoom
		}, txctx.WithRetry(3))
		if !errors.Is(err, errBoom) || attempts != 1 {
			t.Errorf("plain error: %v after %d attempts, want no retry", err, attempts)
		}
		attempts = 0
		err = txctx.Run(ctx, func(ctx context.Context) error {
			attempts++
			return errBoom
		}, txctx.WithRetry(3), txctx.WithRetryBackoff(time.Millisecond, time.Millisecond),
			txctx.WithRetryIf(func(err error) bool { return errors.Is(err, errBoom) }))
		if !errors.Is(err, errBoom) || attempts != 3 {
			t.Errorf("WithRetryIf: %v after %d attempts, want 3", err, attempts)
		}
	})
}

func TestSQLiteLockedIsNotRetried(t *testing.T) {
	db := testdb.Open(t, testdb.SQLite, testdb.WithConfig(func(c *database.Config) {
		c.BusyTimeout = 50 * time.Millisecond
	}))
	ctx := bind(t, db)
	attempts := 0
	_ = txctx.Run(ctx, func(ctx context.Context) error {
		// Open a second connection while the write lock is still free, so
		// that the RunNew below begins and fails on its first write.
		if err := txctx.RunNew(ctx, func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
		settleTo(t, db, 1) // that connection back in the pool, idle
		if err := insert(ctx, "holder"); err != nil {
			return err
		}
		err := txctx.RunNew(ctx, func(ctx context.Context) error {
			attempts++
			return insert(ctx, "blocked")
		}, txctx.WithRetry(3))
		if !errors.Is(err, txctx.ErrWriteLocked) {
			t.Errorf("err = %v, want ErrWriteLocked", err)
		}
		return nil
	})
	if attempts != 1 {
		t.Errorf("attempts = %d, want 1", attempts)
	}
}
