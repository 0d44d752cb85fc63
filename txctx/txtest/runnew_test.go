package txtest_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

// texts reads the notes stored in db with plain SQL, outside any
// transaction.
func texts(t testing.TB, db *gorm.DB) []string {
	t.Helper()
	var out []string
	if err := db.WithContext(context.Background()).Raw("SELECT text FROM notes ORDER BY text").Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// textsIn reads the notes seen by the session of ctx (DB).
func textsIn(t testing.TB, ctx context.Context) []string {
	t.Helper()
	var out []string
	if err := txctx.DB(ctx).Raw("SELECT text FROM notes ORDER BY text").Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func write(ctx context.Context, text string) error {
	return txctx.DB(ctx).Create(&note{Text: text}).Error
}

// RunNew works inside txtest.Context: its writes commit (for the test) on
// their own, and the test's rollback undoes them.
func TestRunNewInsideTestContext(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&note{}); err != nil {
			t.Fatal(err)
		}
		t.Run("test", func(t *testing.T) {
			ctx := txtest.Context(t, db)
			var committed []string
			err := txctx.RunNew(ctx, func(ctx context.Context) error {
				txctx.AfterCommit(ctx, func(context.Context) { committed = append(committed, "top") })
				return write(ctx, "top")
			})
			if err != nil {
				t.Fatalf("RunNew at the test's top: %v", err)
			}
			err = txctx.RunNew(ctx, func(ctx context.Context) error {
				if err := write(ctx, "failed"); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("failing RunNew: %v, want errBoom", err)
			}
			if !slices.Equal(committed, []string{"top"}) {
				t.Errorf("AfterCommit of RunNew ran for %q, want [top]", committed)
			}
			// Seen by a later RunNew, as a committed row is.
			err = txctx.RunNew(ctx, func(ctx context.Context) error {
				if got := textsIn(t, ctx); !slices.Contains(got, "top") || slices.Contains(got, "failed") {
					t.Errorf("a later RunNew sees %q, want top and not failed", got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		if got := texts(t, db); len(got) != 0 {
			t.Fatalf("rows after the test: %q, want none", got)
		}
	})
}

// The audit-on-failure pattern: a RunNew inside a Run that fails. Its row
// survives the Run's rollback, as in production: on PostgreSQL it lives in
// a transaction of its own; on SQLite (one writer) its writes are replayed
// right after the rollback (see the package documentation).
func TestRunNewSurvivesTheEnclosingRollback(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&note{}); err != nil {
			t.Fatal(err)
		}
		t.Run("test", func(t *testing.T) {
			ctx := txtest.Context(t, db)
			err := txctx.Run(ctx, func(ctx context.Context) error {
				if err := write(ctx, "work"); err != nil {
					return err
				}
				if err := txctx.RunNew(ctx, func(ctx context.Context) error { return write(ctx, "audit") }); err != nil {
					t.Errorf("RunNew inside Run: %v", err)
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("err = %v, want errBoom", err)
			}
			var seen []string
			_ = txctx.RunNew(ctx, func(ctx context.Context) error { seen = textsIn(t, ctx); return nil })
			want := []string{"audit"}
			if !slices.Equal(seen, want) {
				t.Errorf("RunNew sees %q after the enclosing Run rolled back, want %q", seen, want)
			}
			if got := textsIn(t, ctx); slices.Contains(got, "work") {
				t.Errorf("the test sees %q: the failed Run's row was not rolled back", got)
			}
		})
		if got := texts(t, db); len(got) != 0 {
			t.Fatalf("rows after the test: %q, want none", got)
		}
	})
}

// On PostgreSQL a RunNew's rows stay uncommitted until the test's cleanup,
// so the test inserting the same unique key would wait for them for ever:
// the wait is bounded by LockTimeout and fails with lock_not_available.
func TestLockWaitOnARunNewsRowsIsBounded(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("lock waits between transactions are PostgreSQL's; set " + testdb.EnvPostgresDSN)
	}
	db := testdb.Open(t, testdb.Postgres)
	if err := db.Exec("CREATE TABLE idempotency_keys (k text PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	ctx := txtest.Context(t, db)
	insertKey := func(ctx context.Context) error {
		return txctx.DB(ctx).Exec("INSERT INTO idempotency_keys (k) VALUES ('k')").Error
	}
	if err := txctx.RunNew(ctx, insertKey); err != nil {
		t.Fatal(err)
	}
	// A guard against a hang, far above LockTimeout; nothing is timed.
	guard, cancel := context.WithTimeout(ctx, 6*txtest.LockTimeout)
	defer cancel()
	err := insertKey(guard)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" {
		t.Fatalf("err = %v, want lock_not_available (55P03)", err)
	}
}
