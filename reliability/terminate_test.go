package reliability_test

import (
	"context"
	"database/sql/driver"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/txctx"
)

// inTransaction selects the pool's backends that are running a statement
// or sitting inside a transaction: the kills land in transactions and in
// savepoints, not on idle connections.
const inTransaction = "application_name = $1 AND state IN ('active', 'idle in transaction')"

// TestTerminateBackends kills backends with pg_terminate_backend while 16
// workers run transactions that each open a savepoint: the same ledger
// guarantees as a restart, and the pool heals (a later batch of calls all
// succeed, no connection stays in use).
func TestTerminateBackends(t *testing.T) {
	const workers, app = 16, "kill"
	srv, db := setup(t, app, database.Config{PoolSize: workers, MaxOverflow: -1, PoolTimeout: 2 * time.Second})
	w := newWorkload(db, workers, 3*time.Second, 5*time.Millisecond, true)
	w.start()
	w.waitEveryWorkerOK(t, 10*time.Second)

	kills, rounds := 0, 0
	for end := time.Now().Add(faultTime(1500 * time.Millisecond)); time.Now().Before(end); rounds++ {
		kills += srv.TerminateWhere(t, inTransaction, app)
		time.Sleep(50 * time.Millisecond)
	}
	w.mark()
	w.waitEveryWorkerOK(t, 10*time.Second)
	w.stop(t, 20*time.Second)

	acked, rejected, unknown := w.ledger.counts()
	t.Logf("%d backends killed in %d rounds; %d calls (%d failed in the savepoint, %d outside it), longest %s",
		kills, rounds, (acked+rejected+unknown)/2, w.spErrs.Load(), w.txErrs.Load(), time.Duration(w.maxCall.Load()))
	if kills == 0 || w.spErrs.Load() == 0 || w.txErrs.Load() == 0 {
		t.Errorf("faults not injected everywhere: %d kills, %d failures in savepoints, %d outside", kills, w.spErrs.Load(), w.txErrs.Load())
	}
	w.checkBounded(t)
	w.ledger.verify(t, srv, rowsTable)
	waitIdle(t, db)
	checkHealed(t, db, workers)
}

// checkHealed runs a batch of calls on every worker at once: after the
// faults every one must succeed, and the pool must end with no connection
// in use.
func checkHealed(t *testing.T, db *gorm.DB, workers int) {
	t.Helper()
	w := newWorkload(db, workers, 3*time.Second, 0, true)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				err := txctx.Run(w.ctx, func(ctx context.Context) error {
					return insert(ctx, -w.next.Add(1), i, "heal")
				})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("after the faults, %d of %d calls failed, first: %v", len(errs), workers*4, errs[0])
	}
	waitIdle(t, db)
}

// TestKillsReachNoBadConnection runs the kill workload of
// TestTerminateBackends (without savepoints) and checks that no caller is
// handed database/sql's driver.ErrBadConn ("driver: bad connection"): a
// call whose connection turns out dead before anything was sent is retried
// by database/sql on another connection. Plain GORM on pgx is the
// reference; package database's pool must match it (it once did not:
// L3 of docs/reliability.md).
func TestKillsReachNoBadConnection(t *testing.T) {
	const workers, app = 16, "badconn"
	t.Run("plain-gorm", func(t *testing.T) {
		srv := pgfault.Start(t)
		srv.Exec(t, "CREATE TABLE "+rowsTable+" (id bigint PRIMARY KEY, worker int NOT NULL, phase text NOT NULL)")
		testNoBadConn(t, srv, openPlain(t, srv, app, workers), app, workers)
	})
	t.Run("database", func(t *testing.T) {
		srv, db := setup(t, app, database.Config{PoolSize: workers, MaxOverflow: -1, PoolTimeout: 2 * time.Second})
		testNoBadConn(t, srv, db, app, workers)
	})
}

func testNoBadConn(t *testing.T, srv *pgfault.Server, db *gorm.DB, app string, workers int) {
	w := newWorkload(db, workers, 3*time.Second, 5*time.Millisecond, false)
	w.start()
	w.waitEveryWorkerOK(t, 10*time.Second)
	kills := 0
	for end := time.Now().Add(faultTime(3 * time.Second)); time.Now().Before(end); {
		kills += srv.TerminateWhere(t, inTransaction, app)
		time.Sleep(50 * time.Millisecond)
	}
	w.stop(t, 20*time.Second)
	w.ledger.verify(t, srv, rowsTable)
	bad := 0
	for k, n := range w.ledger.errs {
		if strings.Contains(k, driver.ErrBadConn.Error()) {
			bad += n
		}
	}
	t.Logf("%d backends killed", kills)
	if bad > 0 {
		t.Errorf("%d calls failed with %q: the dead connection was not replaced", bad, driver.ErrBadConn)
	}
}
