package reliability_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/txctx"
)

// barrier lets n goroutines wait for each other, or for their context.
type barrier struct {
	left atomic.Int32
	all  chan struct{}
}

func newBarrier(n int) *barrier {
	b := &barrier{all: make(chan struct{})}
	b.left.Store(int32(n))
	return b
}

func (b *barrier) wait(ctx context.Context) error {
	if b.left.Add(-1) == 0 {
		close(b.all)
	}
	select {
	case <-b.all:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestDeadlock runs two transactions that lock rows 1 and 2 in opposite
// orders. PostgreSQL chooses one (SQLSTATE 40P01); without retry it fails
// and the other commits; with txctx.WithRetry it runs again and both
// commit.
func TestDeadlock(t *testing.T) {
	for _, retry := range []bool{false, true} {
		t.Run(fmt.Sprintf("retry=%v", retry), func(t *testing.T) { testDeadlock(t, retry) })
	}
}

func testDeadlock(t *testing.T, retry bool) {
	srv, db := setup(t, "deadlock", database.Config{PoolSize: 4, PoolTimeout: 2 * time.Second})
	srv.Exec(t, "INSERT INTO "+rowsTable+" VALUES (1, 0, 'seed'), (2, 0, 'seed')")
	ctx := txctx.WithDB(context.Background(), db)
	b := newBarrier(2)
	var attempts, deadlocks atomic.Int32
	opts := []txctx.Option{txctx.WithTimeout(20 * time.Second)}
	if retry {
		opts = append(opts, txctx.WithRetry(3))
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, order := range [][2]int{{1, 2}, {2, 1}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			errs[i] = txctx.Run(ctx, func(ctx context.Context) error {
				attempts.Add(1)
				err := lockBoth(ctx, b, order, i, first)
				first = false
				if txctx.IsSerializationFailure(err) {
					deadlocks.Add(1)
				}
				return err
			}, opts...)
		}()
	}
	wg.Wait()
	t.Logf("attempts %d, deadlocks %d, errors %v", attempts.Load(), deadlocks.Load(), errs)
	if deadlocks.Load() != 1 {
		t.Fatalf("%d transactions saw a deadlock, want exactly 1", deadlocks.Load())
	}
	checkDeadlockOutcome(t, srv, errs, retry, attempts.Load())
	checkUsable(t, db)
}

// lockBoth updates the two rows in order; the first attempt waits, between
// the two, for the other transaction to hold its first row.
func lockBoth(ctx context.Context, b *barrier, order [2]int, worker int, first bool) error {
	if err := txctx.DB(ctx).Exec("SET LOCAL deadlock_timeout = '50ms'").Error; err != nil {
		return err
	}
	for n, id := range order {
		if n == 1 && first {
			if err := b.wait(ctx); err != nil {
				return err
			}
		}
		err := txctx.DB(ctx).Exec("UPDATE "+rowsTable+" SET worker = ?, phase = 'locked' WHERE id = ?", worker+1, id).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// checkDeadlockOutcome checks the errors and that both rows were written by
// the same, last committed, transaction.
func checkDeadlockOutcome(t *testing.T, srv *pgfault.Server, errs []error, retry bool, attempts int32) {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			winner = i + 1
		case retry || !txctx.IsSerializationFailure(err):
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	failed := len(nonNil(errs))
	if want := map[bool]int32{false: 2, true: 3}[retry]; attempts != want {
		t.Errorf("%d attempts, want %d", attempts, want)
	}
	if !retry && failed != 1 {
		t.Errorf("without retry %d transactions failed, want exactly 1", failed)
	}
	var distinct, worker int
	srv.Query(t, func(r *sql.Rows) error { return r.Scan(&distinct, &worker) },
		"SELECT count(DISTINCT worker), max(worker) FROM "+rowsTable)
	if distinct != 1 || (!retry && worker != winner) {
		t.Errorf("rows written by %d transactions (last %d), want both by one transaction (winner %d)", distinct, worker, winner)
	}
}
