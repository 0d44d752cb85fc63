package txctx_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// A goroutine that uses the transaction while another goroutine holds a
// savepoint open gets ErrConcurrentUse, and nothing it tried reaches the
// database.
func TestConcurrentScopesFailClearly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			entered, release := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			var innerErr error
			go func() {
				defer wg.Done()
				innerErr = txctx.Run(ctx, func(ctx context.Context) error {
					close(entered)
					<-release
					return insert(ctx, "inner")
				})
			}()
			<-entered
			if err := insert(ctx, "beside"); !errors.Is(err, txctx.ErrConcurrentUse) {
				t.Errorf("DB beside an open savepoint: %v, want ErrConcurrentUse", err)
			}
			if err := txctx.Run(ctx, func(context.Context) error { return nil }); !errors.Is(err, txctx.ErrConcurrentUse) {
				t.Errorf("Run beside an open savepoint: %v, want ErrConcurrentUse", err)
			}
			close(release)
			wg.Wait()
			if innerErr != nil {
				return innerErr
			}
			return insert(ctx, "outer")
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "inner", "outer")
	})
}

// A context kept past the end of its Run is refused.
func TestUseAfterScopeEnded(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		var kept, keptInner context.Context
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			kept = ctx
			return txctx.Run(ctx, func(ctx context.Context) error { keptInner = ctx; return nil })
		})
		for _, c := range []context.Context{kept, keptInner} {
			if err := insert(c, "late"); !errors.Is(err, txctx.ErrConcurrentUse) {
				t.Errorf("DB after the scope ended: %v, want ErrConcurrentUse", err)
			}
		}
		ran := false
		txctx.AfterCommit(kept, func(context.Context) { ran = true })
		if ran {
			t.Error("AfterCommit on an ended transaction ran")
		}
		wantNames(t, db)
	})
}

// Goroutines that share one transaction level are serialised statement by
// statement by database/sql: under -race, none of them corrupts it.
func TestSameLevelStatementsFromGoroutines(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Go(func() {
					errs[i] = insert(ctx, "g")
				})
			}
			wg.Wait()
			return errors.Join(errs...)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(t, db); len(got) != 8 {
			t.Fatalf("rows = %d, want 8", len(got))
		}
	})
}

// hooked writes a second row from its AfterCreate hook, on the statement's
// own session: that statement runs under the hold of the first one.
type hooked struct {
	ID   uint `gorm:"primaryKey"`
	Name string
}

func (h *hooked) AfterCreate(tx *gorm.DB) error {
	return tx.Create(&item{Name: "from hook " + h.Name}).Error
}

func TestStatementsFromModelHooksDoNotDeadlock(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		if err := db.AutoMigrate(&hooked{}); err != nil {
			t.Fatal(err)
		}
		err := txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.DB(ctx).Create(&hooked{Name: "h"}).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "from hook h")
	})
}

// exploding panics in its BeforeCreate hook, in the middle of a statement
// that holds the transaction's statement lock.
type exploding struct {
	ID   uint `gorm:"primaryKey"`
	Name string
}

func (*exploding) BeforeCreate(*gorm.DB) error { panic("hook") }

// A panic inside a statement must not leave the transaction locked: the
// rollback it causes takes the lock over, and the transaction (after a
// savepoint) or the next one goes on at once.
func TestPanicInsideAStatementDoesNotLock(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		if err := db.AutoMigrate(&exploding{}); err != nil {
			t.Fatal(err)
		}
		boom := func(ctx context.Context) error { return txctx.DB(ctx).Create(&exploding{Name: "x"}).Error }
		recovered := func(f func()) {
			defer func() { _ = recover() }()
			f()
		}
		err := txctx.Run(ctx, func(ctx context.Context) error {
			recovered(func() { _ = txctx.Run(ctx, boom) })
			return insert(ctx, "after nested panic")
		}, txctx.WithTimeout(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		recovered(func() { _ = txctx.Run(ctx, boom) })
		if err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "next") }); err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "after nested panic", "next")
	})
}
