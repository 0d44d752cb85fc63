package txctx_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// writeAll is a BeforeCommit flush that inserts every item as a row, in
// one statement per call, and records the batches it got.
func writeAll(batches *[][]string) func(ctx context.Context, names []string) error {
	return func(ctx context.Context, names []string) error {
		*batches = append(*batches, names)
		if !txctx.InTransaction(ctx) {
			return errors.New("flush outside the transaction")
		}
		rows := make([]item, len(names))
		for i, n := range names {
			rows[i] = item{Name: n}
		}
		return txctx.DB(ctx).Create(&rows).Error
	}
}

type keyA struct{}
type keyB struct{}

func TestBeforeCommitFlushesOncePerKeyInOrderAndDropsRolledBackSavepoints(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var batches [][]string
		flush := writeAll(&batches)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			must(t, txctx.BeforeCommit(ctx, keyA{}, "a1", flush))
			must(t, txctx.BeforeCommit(ctx, keyB{}, "b1", flush))
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				must(t, txctx.BeforeCommit(ctx, keyA{}, "a2-released", flush))
				return nil
			})
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				must(t, txctx.BeforeCommit(ctx, keyA{}, "dropped", flush))
				return errBoom
			})
			must(t, txctx.BeforeCommit(ctx, keyA{}, "a3", flush))
			if len(batches) != 0 {
				t.Errorf("flushed before fn returned: %q", batches)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"a1", "a2-released", "a3"}, {"b1"}}
		if !slices.EqualFunc(batches, want, slices.Equal) {
			t.Errorf("batches = %q, want %q", batches, want)
		}
		wantNames(t, db, "a1", "a2-released", "a3", "b1")
	})
}

func TestBeforeCommitFailureRollsBack(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var committed bool
		err := txctx.Run(ctx, func(ctx context.Context) error {
			must(t, insert(ctx, "work"))
			txctx.AfterCommit(ctx, func(context.Context) { committed = true })
			return txctx.BeforeCommit(ctx, keyA{}, 1, func(context.Context, []int) error { return errBoom })
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Run = %v, want the flush's error", err)
		}
		if committed {
			t.Error("AfterCommit ran after a failed flush")
		}
		wantNames(t, db)
	})
}

func TestBeforeCommitNotRunOnRollback(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var batches [][]string
		err := txctx.Run(ctx, func(ctx context.Context) error {
			must(t, txctx.BeforeCommit(ctx, keyA{}, "x", writeAll(&batches)))
			return errBoom
		})
		if !errors.Is(err, errBoom) || len(batches) != 0 {
			t.Fatalf("Run = %v, batches %q: want errBoom and no flush", err, batches)
		}
	})
}

func TestBeforeCommitOutsideTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.BeforeCommit(ctx, keyA{}, 1, func(context.Context, []int) error { return nil })
		if !errors.Is(err, txctx.ErrNoTransaction) {
			t.Fatalf("BeforeCommit outside a transaction = %v, want ErrNoTransaction", err)
		}
		var ended context.Context
		must(t, txctx.Run(ctx, func(ctx context.Context) error { ended = ctx; return nil }))
		err = txctx.BeforeCommit(ended, keyA{}, 1, func(context.Context, []int) error { return nil })
		if !errors.Is(err, txctx.ErrConcurrentUse) {
			t.Fatalf("BeforeCommit after the scope ended = %v, want ErrConcurrentUse", err)
		}
	})
}

// Under WithTx (package txtest), a first-level Run stands for the
// transaction: its items are written before it is released; outside any
// Run they are written at once.
func TestBeforeCommitUnderWithTx(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		tx := db.Begin()
		t.Cleanup(func() { tx.Rollback() })
		ctx := txctx.WithTx(context.Background(), tx)
		var batches [][]string
		flush := writeAll(&batches)
		must(t, txctx.BeforeCommit(ctx, keyA{}, "direct", flush))
		must(t, txctx.Run(ctx, func(ctx context.Context) error {
			must(t, txctx.BeforeCommit(ctx, keyA{}, "run-1", flush))
			must(t, txctx.BeforeCommit(ctx, keyA{}, "run-2", flush))
			return nil
		}))
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			must(t, txctx.BeforeCommit(ctx, keyA{}, "rolled-back", flush))
			return errBoom
		})
		var got []string
		must(t, tx.Model(&item{}).Order("id").Pluck("name", &got).Error)
		if strings.Join(got, ",") != "direct,run-1,run-2" {
			t.Errorf("rows in the test transaction = %q", got)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// In a Middleware request, BeforeCommit begins the lazy transaction (it now
// has work to commit), and the items are written when the request
// commits; a request that fails writes none.
func TestBeforeCommitInMiddleware(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		var batches [][]string
		h := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			must(t, txctx.BeforeCommit(r.Context(), keyA{}, r.Method, writeAll(&batches)))
			if r.Method == "DELETE" {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}))
		serve(h, "POST", "")
		serve(h, "DELETE", "")
		wantNames(t, db, "POST")
	})
}
