package txctx_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// recorder collects callback names in order.
type recorder struct{ got []string }

func (r *recorder) add(name string) func(context.Context) {
	return func(context.Context) { r.got = append(r.got, name) }
}

func (r *recorder) want(t *testing.T, want ...string) {
	t.Helper()
	if !slices.Equal(r.got, want) {
		t.Errorf("callbacks ran %q, want %q", r.got, want)
	}
}

func TestAfterCommitRunsAfterOutermostCommitInOrder(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var r recorder
		err := txctx.Run(ctx, func(ctx context.Context) error {
			txctx.AfterCommit(ctx, r.add("1"))
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				txctx.AfterCommit(ctx, r.add("2-released"))
				return nil
			})
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				txctx.AfterCommit(ctx, r.add("dropped"))
				txctx.AfterRollback(ctx, r.add("savepoint-rolled-back"))
				return errBoom
			})
			txctx.AfterCommit(ctx, r.add("3"))
			txctx.AfterRollback(ctx, r.add("never"))
			if len(r.got) != 0 {
				t.Errorf("callbacks ran before the commit: %q", r.got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r.want(t, "1", "2-released", "3", "savepoint-rolled-back")
	})
}

func TestAfterRollbackRunsOnRollback(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var r recorder
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			txctx.AfterCommit(ctx, r.add("commit"))
			txctx.AfterRollback(ctx, r.add("a"))
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				txctx.AfterRollback(ctx, r.add("b"))
				return nil
			})
			return errBoom
		})
		r.want(t, "a", "b")
	})
}

// AfterRollback is the portable way to record a failure: it runs once the
// failed transaction is gone, so even SQLite's single writer is free.
func TestAfterRollbackCanWrite(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			txctx.AfterRollback(ctx, func(ctx context.Context) {
				if txctx.InTransaction(ctx) {
					t.Error("callback context still in the transaction")
				}
				if err := insert(ctx, "failure recorded"); err != nil {
					t.Error(err)
				}
			})
			if err := insert(ctx, "work"); err != nil {
				return err
			}
			return errBoom
		})
		wantNames(t, db, "failure recorded")
	})
}

func TestCallbacksOutsideATransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var r recorder
		txctx.AfterCommit(ctx, r.add("now"))
		txctx.AfterRollback(ctx, r.add("never"))
		r.want(t, "now")
	})
}

func TestCallbackPanicIsIsolated(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var r recorder
		err := txctx.Run(ctx, func(ctx context.Context) error {
			txctx.AfterCommit(ctx, r.add("before"))
			txctx.AfterCommit(ctx, func(context.Context) { panic("callback") })
			txctx.AfterCommit(ctx, r.add("after"))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r.want(t, "before", "after")
	})
}

func TestCallbacksOfRunNew(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var r recorder
		err := txctx.Run(ctx, func(ctx context.Context) error {
			_ = txctx.RunNew(ctx, func(ctx context.Context) error {
				txctx.AfterCommit(ctx, r.add("new-committed"))
				return nil
			})
			r.want(t, "new-committed") // RunNew committed on its own
			txctx.AfterCommit(ctx, r.add("outer"))
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatal(err)
		}
		r.want(t, "new-committed")
	})
}
