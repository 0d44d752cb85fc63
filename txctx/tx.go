package txctx

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// txn is one database transaction: the GORM session it began, its
// savepoints and its callbacks. Its mutex guards every field below it; the
// scope check in session and pushFrame is what detects concurrent use.
type txn struct {
	mu  sync.Mutex
	sem chan struct{} // one statement at a time (see lock.go)

	conn     *gorm.DB           // the bound connection (lazy begin starts from it)
	opts     *sql.TxOptions     // options it began (or will begin) with
	readOnly bool               // opts.ReadOnly, kept for conflict checks
	sqlite   bool               // beside readOnly: one word for both
	level    sql.IsolationLevel // opts.Isolation, kept for conflict checks

	base   *gorm.DB      // session of the transaction; nil until begun
	pool   gorm.ConnPool // the *sql.Tx (or PreparedStmtTX) Begin returned
	owned  gorm.ConnPool // pool guarded against Commit and Rollback: base.Statement.ConnPool
	guard  ownedTx       // what owned points to, or wraps, held here to save an allocation
	cancel context.CancelFunc

	lazy     bool        // begun on first use (Middleware)
	external bool        // begun and ended by the caller (WithTx)
	test     *testLevels // a test binding (WithNamedTestTx): where RunNew runs
	depth    int         // level of RunNew in a test binding, 0 for the test's own
	beginErr error       // lazy begin failure, reported on every later use

	root frame
	top  *frame // innermost open frame; nil once ended
	seq  int    // savepoint names: sp_1, sp_2, ...

	ob *observed // the observer's state; nil when the connection has none (observe.go)

	pendingRelease string // savepoint released but not yet sent; guarded by sem
	doomed         error  // a serialization failure seen in a savepoint
	lost           error  // the connection closed by a savepoint's cancellation
}

// frame is one level of a transaction: the transaction itself (root) or a
// savepoint. It holds the callbacks registered at that level.
type frame struct {
	tx         *txn
	parent     *frame
	savepoint  string // "" for the root
	standalone bool   // stands for a transaction (a first-level Run or a RunNew in a test)
	commits    []func(context.Context)
	rollbacks  []rollbackHook
	pending    []pending  // BeforeCommit's items (beforecommit.go)
	replay     testReplay // RunNew's writes under a test binding (testreplay.go)
}

// rollbackHook is an AfterRollback callback; fired is set once the
// savepoint it belongs to has rolled back, so it runs even if the
// transaction then commits.
type rollbackHook struct {
	fn    func(context.Context)
	fired bool
}

func newTxn(conn *gorm.DB, c *config) *txn {
	t := &txn{conn: conn, opts: c.txOptions(), readOnly: c.readOnly, level: c.isolation, sem: make(chan struct{}, 1),
		ob: newObserved(conn)}
	t.sqlite = conn.Dialector != nil && conn.Dialector.Name() == "sqlite"
	t.root.tx = t
	t.top = &t.root
	return t
}

// session returns the transaction bound to ctx as a new session, or a
// session carrying the error that forbids its use from frame f.
func (t *txn) session(ctx context.Context, f *frame) *gorm.DB {
	t.mu.Lock()
	if t.top != f {
		t.mu.Unlock()
		return errSession(ctx, t.conn, concurrentErr(f))
	}
	err := t.beginLazyLocked(ctx)
	base := t.base
	t.mu.Unlock()
	if err != nil {
		return errSession(ctx, t.conn, err)
	}
	if t.external {
		return base.WithContext(ctx) // begun by the caller: keep its statement
	}
	return rebind(base, ctx)
}

// rebind returns a new session of the transaction base bound to ctx: what
// base.WithContext(ctx) returns, for 2 allocations instead of 5. base comes
// from Begin on a new session, so it is a "new DB" (GORM's clone 1): every
// call chained on the copy starts a statement of its own, taking from the
// copy's Statement only its connection, context and scope flags. The copy
// shares base's Config, private to this transaction (Begin made it).
func rebind(base *gorm.DB, ctx context.Context) *gorm.DB {
	db := new(gorm.DB)
	*db = *base
	db.Statement = &gorm.Statement{
		DB:        db,
		ConnPool:  base.Statement.ConnPool,
		Context:   ctx,
		SkipHooks: base.Statement.SkipHooks,
		Unscoped:  base.Statement.Unscoped,
	}
	return db
}

func errSession(ctx context.Context, conn *gorm.DB, err error) *gorm.DB {
	db := conn.WithContext(ctx)
	_ = db.AddError(err)
	return db
}

func concurrentErr(f *frame) error {
	if f.tx.top == nil {
		return wrapf(ErrConcurrentUse, "the transaction has already ended: a context must not be used after its Run returned")
	}
	return wrapf(ErrConcurrentUse, "a nested Run of the transaction is open: use the context that Run passed to fn, and do not use one scope from several goroutines while a nested Run is open")
}

// pushFrame opens a savepoint level under parent, which must be the
// innermost one.
func (t *txn) pushFrame(ctx context.Context, parent *frame, standalone bool) (*frame, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.top != parent {
		return nil, concurrentErr(parent)
	}
	if err := t.beginLazyLocked(ctx); err != nil {
		return nil, err
	}
	t.seq++
	f := &frame{tx: t, parent: parent, savepoint: savepointName(t.seq), standalone: standalone || (t.external && parent == &t.root)}
	t.top = f
	return f, nil
}

// popFrame closes the innermost savepoint level: released, its callbacks go
// to its parent; rolled back, its AfterCommit callbacks are dropped and its
// AfterRollback callbacks fire. Under a transaction begun by the caller
// (WithTx), a first-level savepoint stands for the transaction: its
// callbacks run at once.
func (t *txn) popFrame(ctx context.Context, f *frame, released bool) {
	if hooks := t.popLocked(f, released); len(hooks) > 0 {
		runHooks(ctx, hooks)
	}
}

func (t *txn) popLocked(f *frame, released bool) []func(context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := f.parent
	t.top = p
	t.handOverWrites(f, released)
	if f.standalone {
		return f.hooks(released)
	}
	if released {
		p.commits = append(p.commits, f.commits...)
		p.rollbacks = append(p.rollbacks, f.rollbacks...)
		p.pending = append(p.pending, f.pending...)
		return nil
	}
	for _, h := range f.rollbacks {
		p.rollbacks = append(p.rollbacks, rollbackHook{fn: h.fn, fired: true})
	}
	return nil
}

// end marks the transaction ended and returns the callbacks to run.
func (t *txn) end(committed bool) []func(context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.top = nil
	return t.root.hooks(committed)
}

// hooks returns the callbacks to run when f ends: on commit its AfterCommit
// callbacks and the AfterRollback callbacks of savepoints that rolled back;
// on rollback every AfterRollback callback.
func (f *frame) hooks(committed bool) []func(context.Context) {
	var out []func(context.Context)
	if committed {
		out = append(out, f.commits...)
	}
	for _, h := range f.rollbacks {
		if h.fired || !committed {
			out = append(out, h.fn)
		}
	}
	return out
}

func savepointName(n int) string {
	const digits = "0123456789"
	var buf [24]byte
	i := len(buf)
	for n > 0 || i == len(buf) {
		i--
		buf[i] = digits[n%10]
		n /= 10
	}
	return "sp_" + string(buf[i:])
}
