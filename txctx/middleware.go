package txctx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"

	"gorm.io/gorm"
)

// Defaults of the middleware options.
const (
	// DefaultRollbackStatus is the status from which Middleware rolls back.
	DefaultRollbackStatus = http.StatusBadRequest
	// DefaultRetryBodyLimit is the largest request body Middleware holds in
	// memory so that a request can be retried.
	DefaultRetryBodyLimit = 1 << 20
)

// MiddlewareOption adjusts Middleware.
type MiddlewareOption func(*middlewareConfig)

type middlewareConfig struct {
	rollbackStatus int
	attempts       int
	bodyLimit      int64
	tx             config
}

// RollbackStatus sets the status from which the request's transaction rolls
// back instead of committing (default DefaultRollbackStatus, 400).
func RollbackStatus(status int) MiddlewareOption {
	return func(c *middlewareConfig) { c.rollbackStatus = status }
}

// RetryRequests runs the whole handler again, up to attempts times in all,
// when the commit fails with a serialization failure or deadlock (also when
// one was seen by a Run inside the handler), with the backoff of WithRetry.
// It is possible because the response is held: the client sees only the
// last attempt. The request body is held in memory up to RetryBodyLimit;
// a request with a larger body is not retried.
func RetryRequests(attempts int) MiddlewareOption {
	return func(c *middlewareConfig) { c.attempts = attempts }
}

// RetryBodyLimit sets the largest request body held for RetryRequests
// (default DefaultRetryBodyLimit, 1 MiB).
func RetryBodyLimit(n int64) MiddlewareOption {
	return func(c *middlewareConfig) { c.bodyLimit = n }
}

// TxOptions sets the options of the request's transaction: the connection
// name (On), ReadOnly, WithIsolation, WithRetryBackoff, WithRetryIf.
// WithTimeout, Durable and WithRetry do not apply (use RetryRequests).
func TxOptions(opts ...Option) MiddlewareOption {
	return func(c *middlewareConfig) {
		for _, o := range opts {
			o(&c.tx)
		}
	}
}

// Middleware wraps each request in a transaction on db, bound to the
// request's context (under the name chosen with TxOptions(On(name)), the
// default connection otherwise):
//
//   - lazily: BEGIN is sent when the handler first uses the transaction
//     (DB, Run), so a request that never does costs nothing;
//   - a Run in the handler is a savepoint, AfterCommit callbacks run after
//     the request's commit (once the response is sent);
//   - the response (status, headers, body) is held until the commit; a
//     status at or above RollbackStatus rolls back; a failed commit drops the
//     held response and answers 500 (409 for a serialization failure, or a
//     new attempt with RetryRequests);
//   - a panic rolls back, then goes on to the server's recovery.
//
// Streaming (http.Flusher) is not available inside: serve streams from a
// handler outside the middleware.
func Middleware(db *gorm.DB, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	return middleware(nil, db, opts)
}

// MiddlewareConnections is Middleware for several connections: every
// connection of dbs is bound to the request's context under its name
// (pass database.Connections.All()), each with a lazy transaction of its
// own, begun when the handler first uses it. DB(ctx) is the transaction of
// the connection chosen with TxOptions(On(name)), the default one (name
// DefaultName or "") otherwise. At the end of the request the transactions
// begun commit one after another, the others in name order and the one of
// DB(ctx) last, or all roll back. They are separate transactions: when a
// commit fails, those after it roll back (the one of DB(ctx) among them,
// with its AfterCommit callbacks) but those before it stay committed.
func MiddlewareConnections(dbs map[string]*gorm.DB, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	return middleware(dbs, nil, opts)
}

func middleware(dbs map[string]*gorm.DB, db *gorm.DB, opts []MiddlewareOption) func(http.Handler) http.Handler {
	c := middlewareConfig{rollbackStatus: DefaultRollbackStatus, attempts: 1, bodyLimit: DefaultRetryBodyLimit}
	for _, o := range opts {
		o(&c)
	}
	conns := []conn{{name: c.tx.name, db: db}}
	if dbs != nil {
		conns = conns[:0]
		for _, name := range sortedNames(dbs) {
			conns = append(conns, conn{name: canonical(name), db: dbs[name]})
		}
	}
	for _, cn := range conns {
		registerLock(cn.db)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serve(&c, conns, next, w, r)
		})
	}
}

// conn is one connection of the middleware.
type conn struct {
	name string
	db   *gorm.DB
}

func serve(c *middlewareConfig, conns []conn, next http.Handler, w http.ResponseWriter, r *http.Request) {
	body, replayable := holdBody(c, r)
	for attempt := 1; ; attempt++ {
		if body != nil {
			r.Body = body()
		}
		retries := 0 // the attempts allowed: none more when the body cannot be replayed
		if replayable {
			retries = c.attempts
		}
		held, hooks, err := serveAttempt(c, conns, next, r, attempt, retries)
		if c.tx.retries(err, attempt, retries) && sleep(r.Context(), c.tx.backoff(attempt)) {
			continue
		}
		if err != nil {
			failed(w, r, err)
		} else {
			held.sendTo(w)
		}
		runHooks(bindAll(r.Context(), c, conns, nil), hooks)
		return
	}
}

// bindAll binds every connection to ctx, with its lazy transaction when
// txns is set, the one of the request's connection (TxOptions(On(name)),
// else the default one) last, as the connection of DB.
func bindAll(ctx context.Context, c *middlewareConfig, conns []conn, txns []*txn) context.Context {
	primary := primaryIndex(c, conns)
	for i, cn := range conns {
		if i != primary {
			ctx = push(ctx, cn.name, cn.db, lazyRoot(txns, i), false)
		}
	}
	if primary >= 0 {
		ctx = push(ctx, conns[primary].name, conns[primary].db, lazyRoot(txns, primary), true)
	}
	return ctx
}

// primaryIndex is the position in conns of the request's connection
// (TxOptions(On(name)), else the default one), or -1.
func primaryIndex(c *middlewareConfig, conns []conn) int {
	for i, cn := range conns {
		if cn.name == c.tx.name {
			return i
		}
	}
	return -1
}

func lazyRoot(txns []*txn, i int) *frame {
	if txns == nil {
		return nil
	}
	return &txns[i].root
}

// serveAttempt runs the handler once in lazy transactions; attempts is how
// many the request may have in all, for the observer's retry reason.
func serveAttempt(c *middlewareConfig, conns []conn, next http.Handler, r *http.Request, attempt, attempts int) (*heldResponse, []func(context.Context), error) {
	ctx := r.Context()
	txns := make([]*txn, len(conns))
	for i, cn := range conns {
		txns[i] = newTxn(cn.db, &c.tx)
		txns[i].lazy = true
		txns[i].observing(cn.name, attempt, ctx)
	}
	held := newHeldResponse()
	completed := false
	defer func() {
		if !completed {
			// The callbacks' context: the connections bound, no transaction.
			hookCtx := bindAll(ctx, c, conns, nil)
			for _, t := range txns {
				t.abortLazy(hookCtx)
			}
		}
	}()
	next.ServeHTTP(held, r.WithContext(bindAll(ctx, c, conns, txns)))
	completed = true
	hooks, err := finishAll(ctx, commitOrder(txns, primaryIndex(c, conns)), held.code() < c.rollbackStatus)
	retry := c.tx.retryReason(err, attempt, attempts)
	for _, t := range txns {
		t.endLazyObserving(retry)
	}
	return held, hooks, err
}

// commitOrder puts the transaction of the request's connection last: the
// others commit first, and when one of them fails the request's own
// transaction (where DB(ctx) wrote, and its AfterCommit callbacks wait)
// rolls back, so the client's error answer means its main work was not
// committed.
func commitOrder(txns []*txn, primary int) []*txn {
	if primary < 0 || primary == len(txns)-1 {
		return txns
	}
	ordered := append(slices.Delete(slices.Clone(txns), primary, primary+1), txns[primary])
	return ordered
}

// finishAll ends the lazy transactions of a request: commits them in
// order when ok, rolling back the rest once one fails.
func finishAll(ctx context.Context, txns []*txn, ok bool) ([]func(context.Context), error) {
	var hooks []func(context.Context)
	var errs []error
	for _, t := range txns {
		h, err := t.finishLazy(ctx, ok)
		hooks = append(hooks, h...)
		if err != nil {
			errs = append(errs, err)
			ok = false
		}
	}
	return hooks, errors.Join(errs...)
}

// finishLazy commits (ok) or rolls back a lazy transaction, begun or not.
// It leaves how it ended for the observer (see endLazyObserving).
func (t *txn) finishLazy(ctx context.Context, ok bool) ([]func(context.Context), error) {
	t.mu.Lock()
	begun, beginErr := t.base != nil, t.beginErr
	t.mu.Unlock()
	switch {
	case beginErr != nil:
		return t.end(false), beginErr
	case !begun && ctx.Err() != nil:
		return t.end(false), contextEnded(ctx, nil)
	case !begun:
		return t.end(ok), nil
	case ok:
		hooks, outcome, err := t.finish(ctx, nil)
		t.ended(outcome, err)
		return hooks, err
	}
	hooks, outcome, err := t.finish(ctx, errHandlerStatus)
	if !errors.Is(err, ErrRollback) {
		err = nil // the handler's own answer stands
	}
	t.ended(outcome, err)
	return hooks, err
}

// errHandlerStatus rolls back a request whose handler answered with a
// status at or above RollbackStatus.
var errHandlerStatus = errors.New("txctx: handler answered with an error status")

// abortLazy rolls back after a panic in the handler.
func (t *txn) abortLazy(ctx context.Context) {
	t.mu.Lock()
	begun := t.base != nil
	t.mu.Unlock()
	outcome, reported := RolledBack, error(ErrAborted)
	if begun {
		if err := t.rollback(ctx, true); err != nil {
			slog.ErrorContext(ctx, "txctx: rollback after panic failed", "error", err)
			outcome, reported = Failed, errors.Join(ErrAborted, err)
		}
	}
	hooks := t.end(false)
	t.endObserving(outcome, reported, "")
	runHooks(ctx, hooks)
}

// failed answers a request whose transaction could not commit.
func failed(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "txctx: request transaction failed", "method", r.Method, "path", r.URL.Path, "error", err)
	if isSerializationFailure(err) {
		http.Error(w, "conflict with a concurrent request, try again", http.StatusConflict)
		return
	}
	http.Error(w, "internal server error", http.StatusInternalServerError)
}

// holdBody reads the request body into memory when requests may be retried
// and the body fits RetryBodyLimit. It returns a function giving a fresh
// reader per attempt (nil when the body is left as it is) and whether the
// request can be retried.
func holdBody(c *middlewareConfig, r *http.Request) (func() io.ReadCloser, bool) {
	if c.attempts <= 1 {
		return nil, false
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, true
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, c.bodyLimit+1))
	if err != nil || int64(len(buf)) > c.bodyLimit {
		// Too large (or broken): the handler reads what was read, then the
		// rest, once.
		rest := r.Body
		if err != nil {
			rest = io.NopCloser(errReader{err})
		}
		once := readCloser{io.MultiReader(bytes.NewReader(buf), rest), r.Body}
		return func() io.ReadCloser { return once }, false
	}
	_ = r.Body.Close()
	return func() io.ReadCloser { return io.NopCloser(bytes.NewReader(buf)) }, true
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
