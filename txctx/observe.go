package txctx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// Observer is told when the transactions and savepoints of a connection
// begin and end: the hook for tracing and metrics (the module
// github.com/gormext/gormext/otel turns it into OpenTelemetry spans).
// Register one per connection with [Observe]; a connection without one
// costs nothing more.
//
// Start is called before BEGIN (or SAVEPOINT) is sent, on the goroutine
// of Run. The context it returns, derived from ctx, is the parent of
// everything inside the scope: the context fn gets, and so the statements
// sent through [DB] and the nested scopes. Return ctx itself to add
// nothing. End is called once for each Start, when the transaction or
// savepoint has ended (after COMMIT or ROLLBACK, ROLLBACK TO, or a failure
// to send them; a released savepoint ends when fn returns, its RELEASE
// going out with the transaction's next statement), with the context
// Start returned.
//
// The transaction of a [Middleware] request begins when the handler first
// uses it: Start is called then, with the request's context, and from then
// on the handler's context answers Value with the values of the context
// Start returned (a request that never uses its transaction is not
// observed).
//
// Both methods may be called from many goroutines at once; they must be
// quick, must not panic and must not use the transaction.
type Observer interface {
	Start(ctx context.Context, s Scope) context.Context
	End(ctx context.Context, s Scope, r Result)
}

// Kind says whether a [Scope] is a transaction or a savepoint.
type Kind int

const (
	// Transaction is a database transaction: an outermost Run, a RunNew, a
	// Middleware request's.
	Transaction Kind = iota + 1
	// Savepoint is a Run inside a transaction (and a RunNew under a test
	// binding, which stands for a transaction).
	Savepoint
)

// String returns "transaction" or "savepoint".
func (k Kind) String() string {
	switch k {
	case Transaction:
		return "transaction"
	case Savepoint:
		return "savepoint"
	}
	return "unknown"
}

// Scope describes the transaction or savepoint an [Observer] is told about.
type Scope struct {
	Kind Kind
	// Connection is the name the connection is bound under (On, WithNamedDB);
	// DefaultName for the default connection.
	Connection string
	// Dialect is the name of the connection's GORM dialector: "postgres",
	// "sqlite".
	Dialect string
	// Savepoint is the savepoint's name (sp_1, sp_2, ...); "" for a
	// transaction.
	Savepoint string
	// Attempt counts the runs of the outermost fn (WithRetry) or of the
	// handler (RetryRequests) from 1; a savepoint has its transaction's.
	Attempt int
	// ReadOnly and Isolation are the transaction's options (for a
	// savepoint, those of its transaction). Isolation is
	// sql.LevelDefault unless WithIsolation set one.
	ReadOnly  bool
	Isolation sql.IsolationLevel
	// Request is true for the transaction of a Middleware request and its
	// savepoints.
	Request bool
}

// Outcome is how a transaction or savepoint ended.
type Outcome int

const (
	// Committed: COMMIT succeeded (for a savepoint: it was released).
	Committed Outcome = iota + 1
	// RolledBack: the work was rolled back, because fn returned an error,
	// panicked or ran out of time, or the handler answered with an error
	// status (Result.Err is nil then).
	RolledBack
	// Failed: BEGIN, SAVEPOINT, COMMIT, RELEASE or the rollback itself
	// failed; Result.Err says why.
	Failed
)

// String returns "commit", "rollback" or "error".
func (o Outcome) String() string {
	switch o {
	case Committed:
		return "commit"
	case RolledBack:
		return "rollback"
	case Failed:
		return "error"
	}
	return "unknown"
}

// Result is how a transaction or savepoint ended, as [Observer.End] is
// told.
type Result struct {
	Outcome Outcome
	// Err is the error that rolled the scope back or made it fail: what
	// Run returns (fn's error, a commit failure); nil on commit and when a
	// Middleware request rolls back for its status. A panic or
	// runtime.Goexit in fn is ErrAborted.
	Err error
	// RetryReason is set when Run (WithRetry) or Middleware
	// (RetryRequests) runs the attempt again because of Err, unless the
	// context ends during the backoff: RetrySerialization,
	// RetryDeadlock or RetryCondition. It is "" otherwise.
	RetryReason string
}

// Retry reasons of [Result].
const (
	RetrySerialization = "serialization_failure" // SQLSTATE 40001
	RetryDeadlock      = "deadlock"              // SQLSTATE 40P01
	RetryCondition     = "retry_if"              // WithRetryIf's condition held
)

// ErrAborted is the Result.Err of a scope rolled back because fn panicked
// or called runtime.Goexit (the panic goes on; Run does not return it).
var ErrAborted = errors.New("txctx: rolled back: fn panicked or called runtime.Goexit")

// observerName is the name under which Observe registers the observer
// among the connection's GORM plugins.
const observerName = "gormext:txctx-observer"

// observerPlugin carries an Observer in gorm.Config.Plugins: the observer
// belongs to the connection, and every session of it finds it there.
type observerPlugin struct{ o Observer }

func (*observerPlugin) Name() string              { return observerName }
func (*observerPlugin) Initialize(*gorm.DB) error { return nil }

// Observe registers o as the observer of db's transactions and savepoints,
// for every session of db and every context db is bound to. Call it once,
// when the connection is set up, before it serves requests; a second call
// on the same connection fails with gorm.ErrRegistered.
func Observe(db *gorm.DB, o Observer) error {
	if o == nil {
		return fmt.Errorf("txctx: Observe: the observer is nil")
	}
	return db.Use(&observerPlugin{o: o})
}

// observerOf returns db's observer, or nil.
func observerOf(db *gorm.DB) Observer {
	if db == nil || db.Config == nil || len(db.Plugins) == 0 {
		return nil
	}
	if p, ok := db.Plugins[observerName].(*observerPlugin); ok {
		return p.o
	}
	return nil
}

// observed is what a transaction of a connection with an observer keeps
// for it; a transaction of a connection without one keeps nothing (a nil
// pointer), so that it costs no allocation more.
type observed struct {
	observer Observer
	name     string                      // the connection's name (canonical)
	attempt  int                         // of Run or of the request, from 1
	current  atomic.Pointer[observation] // between Start and End
	base     context.Context             // a lazy transaction's: the request's context
	outcome  Outcome                     // how a lazy transaction ended (finishLazy)
	err      error                       // and why
}

// newObserved returns the observer state of a transaction on conn, nil
// when conn has no observer.
func newObserved(conn *gorm.DB) *observed {
	if o := observerOf(conn); o != nil {
		return &observed{observer: o, attempt: 1}
	}
	return nil
}

// observation is an observed scope: its observer, the context Start
// returned and the scope it was told. A savepoint's lives on the stack of
// runNested, the zero observation when t is not observed.
type observation struct {
	observer Observer
	ctx      context.Context
	scope    Scope
}

// observe tells t's observer that the scope of kind (savepoint sp) begins,
// from ctx.
func (t *txn) observe(ctx context.Context, kind Kind, sp string) observation {
	o := observation{observer: t.ob.observer, scope: t.scope(kind, sp)}
	o.ctx = o.observer.Start(ctx, o.scope)
	return o
}

// end tells the observer, if any, that the scope has ended.
func (o *observation) end(outcome Outcome, err error, retry string) {
	if o.observer != nil {
		o.observer.End(o.ctx, o.scope, Result{Outcome: outcome, Err: err, RetryReason: retry})
	}
}

// observing records what the observer is told about t: its connection's
// name, its attempt and, for a lazy transaction, the request's context.
func (t *txn) observing(name string, attempt int, base context.Context) {
	if t.ob != nil {
		t.ob.name, t.ob.attempt, t.ob.base = name, attempt, base
	}
}

// scope describes t, or its savepoint sp, for the observer.
func (t *txn) scope(kind Kind, sp string) Scope {
	name := t.ob.name
	if name == "" {
		name = DefaultName
	}
	dialect := ""
	if t.conn.Dialector != nil {
		dialect = t.conn.Dialector.Name()
	}
	return Scope{Kind: kind, Connection: name, Dialect: dialect, Savepoint: sp, Attempt: t.ob.attempt,
		ReadOnly: t.readOnly, Isolation: t.level, Request: t.lazy}
}

// startObserving tells t's observer, if any, that t begins, and returns the
// context of its scope (ctx itself when t is not observed).
func (t *txn) startObserving(ctx context.Context) context.Context {
	if t.ob == nil {
		return ctx
	}
	o := t.observe(ctx, Transaction, "")
	t.ob.current.Store(&o)
	return o.ctx
}

// endObserving tells t's observer, if any, that t has ended.
func (t *txn) endObserving(outcome Outcome, err error, retry string) {
	if t.ob == nil {
		return
	}
	if o := t.ob.current.Swap(nil); o != nil {
		o.end(outcome, err, retry)
	}
}

// ended records how a lazy transaction ended, for endLazyObserving.
func (t *txn) ended(outcome Outcome, err error) {
	if t.ob != nil {
		t.ob.outcome, t.ob.err = outcome, err
	}
}

// endLazyObserving tells the observer that a lazy transaction has ended,
// as ended recorded, if it began.
func (t *txn) endLazyObserving(retry string) {
	if t.ob != nil {
		t.endObserving(t.ob.outcome, t.ob.err, retry)
	}
}

// observedValue is the value of key in the context the observer returned
// for t, a lazy transaction that has begun; false when there is none.
func (t *txn) observedValue(key any) (any, bool) {
	if t.ob == nil || !t.lazy {
		return nil, false
	}
	if o := t.ob.current.Load(); o != nil {
		return o.ctx.Value(key), true
	}
	return nil, false
}

// retryReason is the Result.RetryReason of an attempt that ended with err.
func (c *config) retryReason(err error, attempt, attempts int) string {
	if !c.retries(err, attempt, attempts) {
		return ""
	}
	var s sqlStater
	if errors.As(err, &s) {
		switch s.SQLState() { // as isSerializationFailure reads it
		case "40001":
			return RetrySerialization
		case "40P01":
			return RetryDeadlock
		}
	}
	return RetryCondition
}

// startSavepoint tells t's observer, if any, that savepoint f begins; it
// returns the context of the savepoint's scope (ctx itself when t is not
// observed).
func (t *txn) startSavepoint(ctx context.Context, f *frame) (context.Context, observation) {
	if t.ob == nil {
		return ctx, observation{}
	}
	so := t.observe(ctx, Savepoint, f.savepoint)
	return so.ctx, so
}
