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

// On PostgreSQL an independent transaction commits although the outer one
// rolls back (the audit-log case).
func TestRunNewCommitsIndependently(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			db := testdb.Open(t, kind)
			ctx := bind(t, db)
			err := txctx.Run(ctx, func(ctx context.Context) error {
				// On SQLite the outer transaction has not written yet (deferred
				// BEGIN), so the independent one may take the write lock.
				if err := txctx.RunNew(ctx, func(ctx context.Context) error {
					if !txctx.InTransaction(ctx) {
						t.Error("InTransaction = false in RunNew")
					}
					return insert(ctx, "audit")
				}); err != nil {
					return err
				}
				if err := insert(ctx, "work"); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("err = %v", err)
			}
			wantNames(t, db, "audit")
			wantPoolIdle(t, db)
		})
	}
}

func TestRunNewRollsBackIndependently(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			err := txctx.RunNew(ctx, func(ctx context.Context) error {
				if err := insert(ctx, "inner"); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Errorf("RunNew err = %v", err)
			}
			return insert(ctx, "outer")
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "outer")
	})
}

// On SQLite, once the outer transaction holds the write lock, RunNew cannot
// write: it must end with ErrWriteLocked within the busy timeout.
func TestRunNewSQLiteWriteLocked(t *testing.T) {
	db := testdb.Open(t, testdb.SQLite, testdb.WithConfig(func(c *database.Config) {
		c.BusyTimeout = 100 * time.Millisecond
	}))
	ctx := bind(t, db)
	var newErr error
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := insert(ctx, "outer"); err != nil {
			return err
		}
		newErr = txctx.RunNew(ctx, func(ctx context.Context) error { return insert(ctx, "audit") })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(newErr, txctx.ErrWriteLocked) {
		t.Fatalf("RunNew err = %v, want ErrWriteLocked", newErr)
	}
	wantNames(t, db, "outer")
	wantPoolIdle(t, db)
}

// With one connection in the pool, RunNew inside a transaction can never get
// a second one: it must fail with ErrPoolExhausted, not wait forever.
func TestRunNewPoolExhausted(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "outer"); err != nil {
				return err
			}
			return txctx.RunNew(ctx, func(ctx context.Context) error { return insert(ctx, "audit") },
				txctx.WithPoolWait(100*time.Millisecond))
		})
		if !errors.Is(err, txctx.ErrPoolExhausted) {
			t.Fatalf("err = %v, want ErrPoolExhausted", err)
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	}, testdb.WithConfig(func(c *database.Config) {
		c.PoolSize, c.MaxOverflow = 1, -1
	}))
}

// A SQLite file uses BEGIN IMMEDIATE: the outer transaction holds the write
// lock from its first statement, so RunNew inside it fails at once with
// ErrWriteLocked after the busy timeout, even before the outer one writes.
func TestRunNewSQLiteFileImmediate(t *testing.T) {
	path := t.TempDir() + "/app.db"
	db, err := database.Open(context.Background(), database.Config{URL: "sqlite:///" + path, BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s, _ := db.DB(); _ = s.Close() })
	ctx := bind(t, db)
	err = txctx.Run(ctx, func(ctx context.Context) error {
		var n int64
		if err := txctx.DB(ctx).Model(&item{}).Count(&n).Error; err != nil {
			return err
		}
		err := txctx.RunNew(ctx, func(ctx context.Context) error { return insert(ctx, "audit") })
		if !errors.Is(err, txctx.ErrWriteLocked) {
			t.Errorf("RunNew err = %v, want ErrWriteLocked", err)
		}
		return insert(ctx, "outer")
	})
	if err != nil {
		t.Fatal(err)
	}
	wantNames(t, db, "outer")
	wantPoolIdle(t, db)
}
