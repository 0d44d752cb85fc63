// Package txtest runs a test inside a database transaction that is rolled
// back when the test ends, so that tests of code built on txctx never see
// each other's rows and leave nothing behind.
//
//	func TestCreateArticle(t *testing.T) {
//		ctx := txtest.Context(t, db)
//		err := articles.Create(ctx, "title") // uses txctx.Run / txctx.DB
//		...
//	}
//
// [Connections] binds several connections at once (each in a test
// transaction of its own), as txctx.WithConnections does in production.
//
// # Run
//
// Inside, txctx.Run is a savepoint of the test transaction: a Run that
// fails rolls back to its savepoint, exactly as in production; a
// first-level Run stands for a transaction: when it succeeds its
// AfterCommit callbacks run as it returns (its AfterRollback callbacks when
// it fails), and it accepts Durable and WithRetry (run once). ReadOnly and
// WithIsolation on it leave the test transaction as it is: a write in a
// read-only Run is not refused under txtest. A nested Run is checked as in
// production (ErrOptionsConflict, ErrDurable, ErrRetryInSavepoint).
//
// # RunNew
//
// txctx.RunNew stands for an independent transaction that commits, but
// nothing of it is committed for real: its AfterCommit callbacks run (once)
// when it returns, its writes survive the rollback of any Run around it,
// and the test's cleanup undoes them. A RunNew that fails keeps nothing.
// Where it runs depends on the database:
//
//   - PostgreSQL: in a savepoint of a second test transaction, on a
//     connection of its own, begun at the first RunNew and rolled back at
//     cleanup (a RunNew inside a RunNew gets a third, and so on). As in
//     production, its rows survive the rollback of the Run it was called
//     in, it does not see the test's uncommitted rows (fixtures written
//     through the test's context included), and the test does not see its
//     rows; a later RunNew does (read them back through RunNew). RunNews of
//     one level run one at a time. A statement that waits for a row lock
//     held by another transaction of the test (a RunNew waiting for the
//     test's rows, or the test inserting a key a RunNew inserted, which in
//     production would have been committed) fails with SQLSTATE 55P03
//     after LockTimeout, instead of waiting until the test binary's
//     timeout: every test transaction has lock_timeout set.
//   - SQLite: in a savepoint of the test's own transaction, where the
//     RunNew is called (SQLite has one writer, so a second connection
//     could not write while the test's transaction holds the write lock).
//     The RunNew sees the test's rows and the test sees its rows. Its write
//     statements (GORM's Create, Update, Delete and Exec, and INSERT,
//     UPDATE, DELETE, REPLACE or WITH run as a query; final SQL and
//     arguments) are recorded, and when a Run around it rolls back they
//     are executed again right after the ROLLBACK TO SAVEPOINT, in their
//     order. Entity UUIDs and timestamps are in the statements; an INSERT
//     whose integer key the database chose is recorded with the key each
//     row got (except upserts and creates from maps), so the rows come
//     back the same. A replayed statement runs against the state after the
//     rollback: one that needs the rolled-back Run's writes (a table it
//     created, a row a foreign key refers to) fails, and the Run's error
//     then wraps txctx.ErrTestReplay (lost when the Run
//     rolled back for a panic). In production SQLite refuses a RunNew
//     inside a Run that has written (txctx.ErrWriteLocked): the test shows
//     what the code does on PostgreSQL. Record failures portably with
//     txctx.AfterRollback.
//
// On SQLite, tests sharing one database must not run in parallel: the
// first transaction to write holds the write lock until its test ends.
// On PostgreSQL they may.
package txtest
