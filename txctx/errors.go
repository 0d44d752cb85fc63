package txctx

import "errors"

var (
	// ErrNotBound is returned by Run and RunNew when ctx carries no
	// connection under the requested name: call WithDB (or WithNamedDB, or
	// use Middleware) at the edge of the program.
	ErrNotBound = errors.New("txctx: no database bound to the context")

	// ErrOptionsConflict is returned by a nested Run whose options (read-only,
	// isolation level) differ from those of the transaction already open: a
	// savepoint cannot change them. Open the transaction with the options
	// the whole unit of work needs, or use RunNew for an independent one.
	ErrOptionsConflict = errors.New("txctx: options conflict with the open transaction")

	// ErrDurable is returned by Run with the Durable option when ctx is
	// already inside a transaction on that connection, so the work would not
	// be committed when Run returns.
	ErrDurable = errors.New("txctx: durable Run inside a transaction")

	// ErrRetryInSavepoint is returned by a nested Run with the WithRetry
	// option: after a serialization failure the whole transaction is lost,
	// so only the outermost Run can retry. Move WithRetry to the outermost
	// Run (or to Middleware).
	ErrRetryInSavepoint = errors.New("txctx: retry requested inside a savepoint")

	// ErrConcurrentUse is reported when a transaction is used from a scope
	// that is not its innermost one: typically a goroutine that runs beside
	// a nested Run on the same transaction, or one that still uses the
	// context of a Run that has returned. A transaction is one connection
	// doing one thing at a time; give each goroutine its own RunNew, or wait
	// for the goroutines before leaving the scope. See the package
	// documentation, "Goroutines".
	ErrConcurrentUse = errors.New("txctx: transaction used concurrently or after its scope ended")

	// ErrWriteLocked wraps the driver's "database is locked" error in RunNew
	// on SQLite (and its "no such table" when the connection's schema is
	// stale and cannot be re-read under the lock): SQLite allows one writer
	// at a time, and another transaction held a lock RunNew needed for
	// longer than the busy timeout. It is the only sentinel such a failure
	// matches, whether it came at BEGIN, at a statement or at COMMIT.
	//
	// Inside a transaction this is not bad luck: on a SQLite file (BEGIN
	// IMMEDIATE) the outer transaction holds the write lock from its
	// BEGIN, and on the in-memory database from its first statement (its
	// first read keeps RunNew from committing), so RunNew can never write
	// there. Call RunNew before or after the outer transaction, record the
	// work with AfterCommit or AfterRollback, or use PostgreSQL.
	ErrWriteLocked = errors.New("txctx: SQLite allows one writer at a time and another transaction holds the write lock")

	// ErrPoolExhausted is returned by RunNew inside a transaction when no
	// connection became free within the pool wait (see WithPoolWait): the
	// caller holds one connection and waits for a second, and when every
	// caller does the same the pool deadlocks. Raise the pool size above the
	// number of concurrent transactions that call RunNew.
	ErrPoolExhausted = errors.New("txctx: no free connection for RunNew while the caller holds one")

	// ErrCommit wraps the error of a failed COMMIT (or RELEASE SAVEPOINT):
	// the work of fn is lost even though fn returned nil.
	ErrCommit = errors.New("txctx: commit failed")

	// ErrRollback wraps the error of a failed ROLLBACK (or ROLLBACK TO
	// SAVEPOINT). It is joined to fn's error, never returned alone.
	ErrRollback = errors.New("txctx: rollback failed")

	// ErrManualTxControl is reported by Commit and Rollback called on the
	// session of a transaction that Run, RunNew or Middleware owns (what
	// DB(ctx) returns inside one), and on what DB(ctx) returns for a
	// transaction bound with WithTx, which its caller ends through its own
	// handle: nothing is sent and the transaction goes
	// on. Run commits when fn returns nil and rolls back when it returns an
	// error; for a partial rollback use a nested Run (or GORM's Transaction,
	// SavePoint and RollbackTo, which stay legal).
	ErrManualTxControl = errors.New("txctx: Commit and Rollback belong to Run: return nil from fn to commit, an error to roll back")
)
