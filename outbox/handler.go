package outbox

import (
	"context"
	"fmt"
	"runtime/debug"

	"gorm.io/gorm"

	"github.com/gormext/gormext/txctx"
)

// Transactional wraps a message handler so that each message is handled
// in a transaction, as txctx.Middleware runs a request: h runs in
// txctx.Run on db (bound to ctx unless db is nil, then ctx must carry
// one), retried whole on a serialization failure or deadlock
// (txctx.WithRetry(DefaultHandlerRetry), then WithTxOptions). The
// transaction commits when h returns nil; an error rolls it back and is
// returned, and a panic rolls it back and is returned as ErrHandlerPanic,
// so that the consumer does not acknowledge and the broker redelivers.
// Messages h adds with Add are stored in the same transaction. db is bound
// for txctx when Transactional is called, not at the first message (see
// NewRelay).
func Transactional(db *gorm.DB, h Handler, opts ...Option) Handler {
	prepare(db)
	c := newConfig(opts)
	txOpts := append([]txctx.Option{txctx.WithRetry(c.handlerRetry)}, c.txOptions...)
	return func(ctx context.Context, msg Message) error {
		return runTx(bind(ctx, db), func(ctx context.Context) error { return h(ctx, msg) }, txOpts)
	}
}

// TransactionalJob is Transactional for a scheduled job: each call of the
// returned function runs job in a transaction, with the same retries,
// rollback and error reporting.
func TransactionalJob(db *gorm.DB, job func(ctx context.Context) error, opts ...Option) func(ctx context.Context) error {
	prepare(db)
	c := newConfig(opts)
	txOpts := append([]txctx.Option{txctx.WithRetry(c.handlerRetry)}, c.txOptions...)
	return func(ctx context.Context) error { return runTx(bind(ctx, db), job, txOpts) }
}

// prepare binds db once, so that txctx registers its callbacks on it now,
// when the handler or the relay is made, rather than at its first message
// or round: GORM's callbacks may not be registered while another goroutine
// (a relay, a consumer) sends statements on the same *gorm.DB.
func prepare(db *gorm.DB) {
	if db != nil {
		_ = txctx.WithDB(context.Background(), db)
	}
}

func bind(ctx context.Context, db *gorm.DB) context.Context {
	if db == nil {
		return ctx
	}
	return txctx.WithDB(ctx, db)
}

// runTx runs fn in txctx.Run and turns a panic, once Run has rolled back,
// into an error.
func runTx(ctx context.Context, fn func(context.Context) error, opts []txctx.Option) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v\n%s", ErrHandlerPanic, r, debug.Stack())
		}
	}()
	return txctx.Run(ctx, fn, opts...)
}
