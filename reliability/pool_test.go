package reliability_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/txctx"
)

const auditOffset = 1 << 41 // id of the row a RunNew writes beside id

// TestPoolExhaustedByRunNew fills a pool of 2 with 2 transactions that each
// call RunNew (which needs a second connection) while 4 more callers wait
// for a connection: the waiters fail with database.ErrPoolTimeout after
// PoolTimeout, the RunNew calls with txctx.ErrPoolExhausted after their pool
// wait, nothing deadlocks, nothing is half-written, and the pool serves
// the next call.
func TestPoolExhaustedByRunNew(t *testing.T) {
	const size, waiters = 2, 4
	srv, db := setup(t, "pool", database.Config{PoolSize: size, MaxOverflow: -1, PoolTimeout: time.Second})
	ctx := txctx.WithDB(context.Background(), db)
	holding, waited, gaveUp := newBarrier(size), make(chan struct{}), newBarrier(size)
	holders := make([]error, size)
	var wg sync.WaitGroup
	for i := range size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holders[i] = txctx.Run(ctx, func(ctx context.Context) error {
				if err := insert(ctx, int64(i+1), i, "tx"); err != nil {
					return err
				}
				if err := holding.wait(ctx); err != nil {
					return err
				}
				<-waited // every connection stays taken until the waiters gave up
				err := txctx.RunNew(ctx, func(ctx context.Context) error {
					return insert(ctx, int64(i+1)+auditOffset, i, "audit")
				}, txctx.WithPoolWait(500*time.Millisecond))
				// Neither holder gives its connection back before both
				// RunNew calls have ended: one holder's rollback would
				// otherwise free a connection for the other's RunNew.
				_ = gaveUp.wait(ctx)
				return err
			}, txctx.WithTimeout(20*time.Second))
		}()
	}
	waiterErrs := runWaiters(t, ctx, holding, waiters)
	close(waited)
	wg.Wait()
	for i, err := range waiterErrs {
		if !errors.Is(err, database.ErrPoolTimeout) {
			t.Errorf("waiter %d: %v, want database.ErrPoolTimeout", i, err)
		}
	}
	for i, err := range holders {
		if !errors.Is(err, txctx.ErrPoolExhausted) {
			t.Errorf("RunNew in holder %d: %v, want txctx.ErrPoolExhausted", i, err)
		}
	}
	t.Logf("waiter: %v; RunNew: %v", waiterErrs[0], holders[0])
	checkRows(t, srv, nil, []int64{1, 2, 1 + auditOffset, 2 + auditOffset, 101, 102, 103, 104})
	checkUsable(t, db)
}

// runWaiters starts n transactions once the holders have taken every
// connection and returns their errors.
func runWaiters(t *testing.T, ctx context.Context, holding *barrier, n int) []error {
	t.Helper()
	<-holding.all
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = txctx.Run(ctx, func(ctx context.Context) error {
				return insert(ctx, int64(101+i), 100+i, "waiter")
			}, txctx.WithTimeout(20*time.Second))
		}()
	}
	wg.Wait()
	return errs
}

// TestPoolSmallerThanRunNewCallers runs 16 callers of Run + RunNew at once
// on a pool of 4: every call ends, either committed whole or failed with a
// pool sentinel, and the ledger holds.
// A RunNew whose connection arrives just as its pool wait runs out must
// not lose the transaction it has begun (it once did: L2 of
// docs/reliability.md).
func TestPoolSmallerThanRunNewCallers(t *testing.T) {
	const callers, rounds = 16, 5
	srv, db := setup(t, "poolmix", database.Config{PoolSize: 4, MaxOverflow: -1, PoolTimeout: time.Second})
	ctx := txctx.WithDB(context.Background(), db)
	l := newLedger()
	var wg sync.WaitGroup
	var mu sync.Mutex
	other := []error{}
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				id := int64(c*rounds + r + 1)
				outer, audit := runWithAudit(ctx, id, c)
				l.record(id, outer, false)
				l.record(id+auditOffset, audit, false)
				for _, err := range []error{outer, audit} {
					if err != nil && !errors.Is(err, database.ErrPoolTimeout) && !errors.Is(err, txctx.ErrPoolExhausted) {
						mu.Lock()
						other = append(other, err)
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	acked, rejected, _ := l.counts()
	t.Logf("%d rows acknowledged, %d rejected; errors %v", acked, rejected, l.errs)
	if len(other) > 0 {
		t.Errorf("%d calls failed with something other than a pool timeout, first: %v", len(other), other[0])
	}
	l.verify(t, srv, rowsTable)
	checkUsable(t, db)
}

// runWithAudit writes id in a transaction and id+auditOffset in a RunNew
// inside it; it returns the outer Run's error and the RunNew's (nil when
// RunNew was not reached: its row must then be absent, so it is reported
// as the outer error).
func runWithAudit(ctx context.Context, id int64, worker int) (outer, audit error) {
	reached := false
	outer = txctx.Run(ctx, func(ctx context.Context) error {
		if err := insert(ctx, id, worker, "tx"); err != nil {
			return err
		}
		reached = true
		audit = txctx.RunNew(ctx, func(ctx context.Context) error {
			return insert(ctx, id+auditOffset, worker, "audit")
		}, txctx.WithPoolWait(300*time.Millisecond))
		return audit
	}, txctx.WithTimeout(20*time.Second))
	if !reached {
		audit = outer
	}
	return outer, audit
}
