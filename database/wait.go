package database

import (
	"context"
	"sync"
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
// the caller's context's own.
//
// Most calls find a free connection and never wait, so the bound is armed
// lazily. database/sql asks for Done once before it looks for a
// connection, to refuse a context that has ended already; that first
// answer is the caller's own channel. Only a later call of Done before the
// connection is handed over (database/sql waiting for a connection in use,
// a driver dialling a new one or checking an idle one) arms the timer and
// the watch on the caller's context. A call that takes a free connection
// costs one small allocation: the waitCtx itself. The timer and the watch
// are stopped when the wait ends; nothing outlives the call.
type waitCtx struct {
	context.Context // the caller's: Deadline and Value, and Done/Err once settled

	pool  *pool
	state atomic.Int32
	asked atomic.Int32 // calls of Done while waiting

	mu         sync.Mutex    // guards arming against stopping
	done       chan struct{} // closed when the wait ends unsettled; nil until armed
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
	w := &waitCtx{Context: ctx, pool: p}
	return w, w
}

// Done implements context.Context.
func (w *waitCtx) Done() <-chan struct{} {
	switch w.state.Load() {
	case settled:
		return w.Context.Done()
	case waiting:
		if w.asked.Add(1) == 1 {
			// database/sql's check before it looks for a connection.
			return w.Context.Done()
		}
		return w.arm()
	default: // timedOut or cancelled: armed, and closed
		return w.done
	}
}

// Err implements context.Context. A wait that timed out reports an error
// matching ErrPoolTimeout, which database/sql returns as the call's.
func (w *waitCtx) Err() error {
	if w.state.Load() == timedOut {
		return w.err
	}
	return w.Context.Err()
}

// arm starts the bound on the wait, once, and returns its channel. A wait
// that has already ended answers with the caller's channel.
func (w *waitCtx) arm() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done != nil {
		return w.done
	}
	if w.state.Load() != waiting {
		return w.Context.Done()
	}
	w.done = make(chan struct{})
	if w.Context.Done() != nil {
		w.stopParent = context.AfterFunc(w.Context, w.cancel)
	}
	w.timer = time.AfterFunc(w.pool.timeout, w.expire)
	return w.done
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

// stop stops the timer and the watch, if the wait was armed.
func (w *waitCtx) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
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
	if w.state.CompareAndSwap(waiting, settled) {
		w.stop()
		return err
	}
	switch w.state.Load() {
	case settled: // by the connection, which stopped the bound then
		return err
	case timedOut:
		w.stop()
		if err != nil {
			return w.err
		}
		return err
	default: // cancelled
		w.stop()
		return err
	}
}

// settleWait settles ctx when it is a pool call's waitCtx.
func settleWait(ctx context.Context) {
	if w, ok := ctx.(*waitCtx); ok {
		w.settle()
	}
}
