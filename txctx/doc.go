// Package txctx carries the database session, and the transaction when one
// is open, in a context.Context: services call [Run], repositories call
// [DB], and no *gorm.DB is passed by hand.
//
// Bind the connection once, at the edge of the program (or wrap handlers in
// [Middleware]); repositories take the session from the context:
//
//	ctx = txctx.WithDB(ctx, db)
//
//	err := txctx.Run(ctx, func(ctx context.Context) error {
//		if err := txctx.DB(ctx).Create(&order).Error; err != nil {
//			return err // rolled back
//		}
//		txctx.AfterCommit(ctx, func(ctx context.Context) { publish(ctx, order) })
//		return txctx.Run(ctx, reserveStock) // a savepoint
//	})
//
// # Semantics
//
//   - [Run] outside a transaction begins one, commits when fn returns nil,
//     rolls back on an error, a panic (then panics again) or
//     runtime.Goexit. Inside one it is a savepoint (SAVEPOINT sp_N, RELEASE
//     SAVEPOINT on success, ROLLBACK TO SAVEPOINT otherwise).
//   - [RunNew] is an independent transaction on a connection of its own.
//   - [DB] is the transaction of the innermost Run or RunNew of ctx, on
//     whichever connection it was run ([On]), as a new session bound to ctx
//     on every call; outside any, the default connection. [NamedDB] picks a
//     connection by name. A Run or RunNew without On uses the connection
//     of the innermost Run (the default one outside any).
//   - [AfterCommit] and [AfterRollback] callbacks run once the outermost
//     transaction has ended, in registration order; those of a savepoint
//     that rolls back, or of an attempt that is retried, are dropped.
//   - Options: [On] (named connections, see [WithNamedDB] and
//     [WithConnections]; "" and [DefaultName] are the default one), [ReadOnly],
//     [WithIsolation], [WithTimeout], [Durable], [WithRetry]. A nested Run
//     whose options conflict fails with [ErrOptionsConflict].
//
// # Cancellation
//
// The transaction is begun on a context that the caller's cancellation
// cannot stop, so database/sql never rolls it back behind fn's back. When
// ctx ends during fn, statements fail, and Run sends the ROLLBACK itself
// (bounded by [RollbackTimeout]); the error wraps context.Canceled or
// context.DeadlineExceeded, and the connection goes back to the pool clean.
// Run never commits after ctx has ended, even if fn returns nil; a COMMIT
// already sent is not interrupted. When the cancellation closed the
// connection (pgx closes the connection of an interrupted statement), the
// server has discarded the transaction: Run reports the context's error,
// not [ErrRollback], which is kept for rollbacks that fail on a live
// connection.
//
// # Commit and Rollback belong to Run
//
// Commit and Rollback on the session DB returns inside Run, RunNew or
// Middleware are refused with [ErrManualTxControl] before anything is
// sent; Begin on it fails with gorm.ErrInvalidTransaction. GORM's
// Transaction on it is a savepoint, and SavePoint and RollbackTo work.
// Return from fn to end the transaction; use a nested Run to undo part of
// it.
//
// # Goroutines
//
// A transaction is one connection. Statements sent through DB from several
// goroutines sharing one scope are run one at a time (see the lock
// callbacks registered by [WithDB]); rows returned by Rows() and Row() are
// not covered and must be read to the end before another goroutine sends a
// statement. Scopes cannot be shared: while a nested Run is open, the
// enclosing scope's context is refused with [ErrConcurrentUse], as is a
// context used after its Run returned. Give each goroutine that needs a
// transaction its own RunNew, and wait for goroutines before fn returns.
//
// # SQLite
//
// SQLite allows one writer at a time. Inside a transaction, a RunNew on
// another connection waits the busy timeout and fails with
// [ErrWriteLocked] once the outer transaction has begun (a SQLite file,
// opened with BEGIN IMMEDIATE) or run any statement (the in-memory
// database), WAL or not. Call RunNew before or after the outer
// transaction, record failures with [AfterRollback] (it runs once the
// failing transaction has released the lock), or use PostgreSQL.
//
// # GORM configurations
//
// txctx works the same under SkipDefaultTransaction, PrepareStmt (in the
// gorm.Config or in a Session bound with WithDB), naming strategies,
// CreateBatchSize and TranslateError. DefaultTransactionTimeout is the
// deadline of the outermost Run and of RunNew when they have no
// [WithTimeout]. On a DryRun connection Run, RunNew and Middleware send
// nothing: fn runs, DB builds statements without sending them, and the
// callbacks run as on commit or rollback.
//
// # Pool size
//
// RunNew inside a transaction holds one connection and waits for a second:
// with as many concurrent transactions as connections, all would wait for
// ever. RunNew waits at most [WithPoolWait] (default [DefaultPoolWait]),
// then fails with [ErrPoolExhausted]; size the pool above the number of
// concurrent transactions that call RunNew.
//
// # Observing
//
// [Observe] registers an [Observer] on a connection, told when each
// transaction and savepoint starts and ends; the context it returns is the
// parent of fn's. The module github.com/gormext/gormext/otel builds
// OpenTelemetry spans on it. A connection without one costs nothing more.
//
// See docs/transactions.md for the full guide.
package txctx
