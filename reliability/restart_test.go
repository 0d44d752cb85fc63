package reliability_test

import (
	"testing"
	"time"

	"github.com/gormext/gormext/database"
)

// TestServerRestart restarts the server while 16 workers run transactions:
// in-flight calls fail (no panic, no hang), calls succeed again once the
// server is back, no acknowledged row is lost and no failed transaction's
// row appears. "fast" is pg_ctl stop -m fast (clients disconnected, clean
// shutdown); "immediate" kills the server as a crash would (recovery from
// the WAL at the next start).
func TestServerRestart(t *testing.T) {
	for _, mode := range []string{"fast", "immediate"} {
		t.Run(mode, func(t *testing.T) { testRestart(t, mode) })
	}
}

func testRestart(t *testing.T, mode string) {
	const workers = 16
	srv, db := setup(t, "restart", database.Config{PoolSize: workers, MaxOverflow: -1, PoolTimeout: 2 * time.Second})
	w := newWorkload(db, workers, 3*time.Second, 5*time.Millisecond, false)
	w.start()
	w.waitEveryWorkerOK(t, 10*time.Second)

	end := time.Now().Add(faultTime(0))
	restarts := 0
	for {
		srv.Restart(t, mode, 200*time.Millisecond)
		restarts++
		w.mark()
		w.waitEveryWorkerOK(t, 15*time.Second) // later calls succeed
		if time.Now().After(end) {
			break
		}
	}
	w.stop(t, 20*time.Second)

	acked, rejected, unknown := w.ledger.counts()
	t.Logf("%d restarts (%s); %d calls, longest %s", restarts, mode, acked+rejected+unknown, time.Duration(w.maxCall.Load()))
	if rejected+unknown == 0 {
		t.Error("no call failed: the restart did not reach an in-flight transaction")
	}
	w.checkBounded(t)
	w.ledger.verify(t, srv, rowsTable)
	waitIdle(t, db)
}
