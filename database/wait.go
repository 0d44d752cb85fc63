package database

import (
	"context"
	"sync/atomic"
	"time"
)

// A waitCtx is the context a pool call hands database/sql: the caller's,
// except that while the call waits for a connection it also ends when
// Config.PoolTimeout runs out.
//
// database/sql uses one context both for the wait and for what runs on the
// connection (the statement, the rows it returns, the transaction it
// begins), and a deadline would cancel all of them. A waitCtx therefore
// changes its answer the moment the connection is handed over: the
// connection wrapper (see conn.go) calls settle as the first thing
// database/sql asks of it for this call, and from then on Done and Err are
// the caller's context's own. The timer and the watch on the caller's
// context are stopped at that moment; nothing outlives the wait.
type waitCtx struct {
	context.Context // the caller's: Deadline and Value, and Done/Err once settled

	pool       *pool
	state      atomic.Int32
	done       chan struct{} // closed when the wait ends unsettled
	err        error         // the timeout's, written before state becomes timedOut
	timer      *time.Timer
	stopParent func() bool // stops the watch on the caller's context
}

const (
	waiting   int32 = iota
	settled         // the connection was handed over, or the call returned
	timedOut        // PoolTimeout ran out first
	cancelled       // the caller's context ended first
)

// wait returns the context for one call. A caller whose own deadline comes
// no later than the pool timeout keeps its context: its deadline bounds the
// wait already, and ends it with the caller's error.
func (p *pool) wait(ctx context.Context) (context.Context, *waitCtx) {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= p.timeout {
		return ctx, nil
	}
	w := &waitCtx{Context: ctx, pool: p, done: make(chan struct{})}
	if ctx.Done() != nil {
		w.stopParent = context.AfterFunc(ctx, w.cancel)
	}
	w.timer = time.AfterFunc(p.timeout, w.expire)
	return w, w
}

// Done implements context.Context.
func (w *waitCtx) Done() <-chan struct{} {
	if w.state.Load() == settled {
		return w.Context.Done()
	}
	return w.done
}

// Err implements context.Context. A wait that timed out reports an error
// matching ErrPoolTimeout, which database/sql returns as the call's.
func (w *waitCtx) Err() error {
	switch w.state.Load() {
	case waiting:
		return nil
	case timedOut:
		return w.err
	default:
		return w.Context.Err()
	}
}

func (w *waitCtx) expire() {
	if w.state.Load() != waiting {
		return
	}
	w.err = w.pool.timeoutError()
	if w.state.CompareAndSwap(waiting, timedOut) {
		w.pool.timeouts.Add(1)
		close(w.done)
	}
}

func (w *waitCtx) cancel() {
	if w.state.CompareAndSwap(waiting, cancelled) {
		close(w.done)
	}
}

// settle ends the wait: the connection is the call's. It runs on the
// caller's goroutine (database/sql calls the driver synchronously).
func (w *waitCtx) settle() {
	if w.state.CompareAndSwap(waiting, settled) {
		w.stop()
	}
}

func (w *waitCtx) stop() {
	w.timer.Stop()
	if w.stopParent != nil {
		w.stopParent()
	}
}

// end runs when the call returns: the wait is over whatever happened, and
// an error of a wait that timed out is reported as ErrPoolTimeout (a dial
// cut short by the timeout fails with the driver's own error).
func (w *waitCtx) end(err error) error {
	if w == nil {
		return err
	}
	if !w.state.CompareAndSwap(waiting, settled) {
		w.stop()
		if err != nil && w.state.Load() == timedOut {
			return w.err
		}
		return err
	}
	w.stop()
	return err
}

// settleWait settles ctx when it is a pool call's waitCtx.
func settleWait(ctx context.Context) {
	if w, ok := ctx.(*waitCtx); ok {
		w.settle()
	}
}
