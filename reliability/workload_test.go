package reliability_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/txctx"
)

// workload runs txctx.Run transactions on several workers until stopped,
// each inserting a row of its own (and, with savepoints, a second row in a
// nested Run), and records what each caller was told.
type workload struct {
	ctx       context.Context // bound with txctx.WithDB
	ledger    *ledger
	timeout   time.Duration // txctx.WithTimeout of each call
	hold      time.Duration // pg_sleep inside the transaction (and savepoint)
	savepoint bool

	next    atomic.Int64
	maxCall atomic.Int64   // longest call, in nanoseconds
	ok      []atomic.Int64 // per worker: successes since the last mark
	spErrs  atomic.Int64   // calls that failed inside the savepoint
	txErrs  atomic.Int64   // calls that failed outside it

	stopping chan struct{}
	wg       sync.WaitGroup
}

func newWorkload(db *gorm.DB, workers int, timeout, hold time.Duration, savepoint bool) *workload {
	return &workload{
		ctx: txctx.WithDB(context.Background(), db), ledger: newLedger(),
		timeout: timeout, hold: hold, savepoint: savepoint,
		ok: make([]atomic.Int64, workers), stopping: make(chan struct{}),
	}
}

func (w *workload) start() {
	for i := range w.ok {
		w.wg.Add(1)
		go w.loop(i)
	}
}

func (w *workload) loop(worker int) {
	defer w.wg.Done()
	for {
		select {
		case <-w.stopping:
			return
		default:
		}
		w.call(worker)
	}
}

// call runs one transaction and files its outcome.
func (w *workload) call(worker int) {
	id := w.next.Add(1)
	committing, inSavepoint := false, false
	start := time.Now()
	err := txctx.Run(w.ctx, func(ctx context.Context) error {
		if err := w.body(ctx, id, worker, &inSavepoint); err != nil {
			return err
		}
		committing = true
		return nil
	}, txctx.WithTimeout(w.timeout))
	w.noteDuration(time.Since(start))
	w.ledger.record(id, err, committing)
	if w.savepoint {
		w.ledger.record(id+savepointOffset, err, committing)
	}
	switch {
	case err == nil:
		w.ok[worker].Add(1)
	case inSavepoint:
		w.spErrs.Add(1)
	default:
		w.txErrs.Add(1)
	}
}

func (w *workload) body(ctx context.Context, id int64, worker int, inSavepoint *bool) error {
	if err := insert(ctx, id, worker, "tx"); err != nil {
		return err
	}
	if err := pause(ctx, w.hold); err != nil {
		return err
	}
	if !w.savepoint {
		return nil
	}
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := insert(ctx, id+savepointOffset, worker, "sp"); err != nil {
			return err
		}
		return pause(ctx, w.hold)
	})
	*inSavepoint = err != nil
	return err
}

func (w *workload) noteDuration(d time.Duration) {
	for {
		cur := w.maxCall.Load()
		if int64(d) <= cur || w.maxCall.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// mark resets the per-worker success counts.
func (w *workload) mark() {
	for i := range w.ok {
		w.ok[i].Store(0)
	}
}

// waitEveryWorkerOK waits until every worker has had a call succeed since
// the last mark; it fails t after limit.
func (w *workload) waitEveryWorkerOK(t *testing.T, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for i := range w.ok {
		for w.ok[i].Load() == 0 {
			if time.Now().After(deadline) {
				_, rej, unk := w.ledger.counts()
				t.Fatalf("worker %d had no successful call within %s (rejected %d, in doubt %d; errors %v)", i, limit, rej, unk, w.ledger.errs)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// stop stops the workers and waits for them: a worker that does not come
// back within limit hangs, and fails t.
func (w *workload) stop(t *testing.T, limit time.Duration) {
	t.Helper()
	close(w.stopping)
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("workers still running %s after being stopped: a call hangs", limit)
	}
}

// checkBounded fails t when a call took longer than its timeout plus the
// rollback timeout plus slack: a hang, not a slow call.
func (w *workload) checkBounded(t *testing.T) {
	t.Helper()
	limit := w.timeout + txctx.RollbackTimeout + 2*time.Second
	if longest := time.Duration(w.maxCall.Load()); longest > limit {
		t.Errorf("longest call took %s, more than its timeout %s + rollback timeout %s + 2 s", longest, w.timeout, txctx.RollbackTimeout)
	}
}
