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
// Inside, txctx.Run is a savepoint of the test transaction: a Run that
// fails rolls back to its savepoint, exactly as in production; a
// first-level Run that succeeds stands for a commit, so its AfterCommit
// callbacks run when it returns (and its AfterRollback callbacks when it
// fails). txctx.RunNew still opens a transaction of its own, which the
// rollback does not undo; on SQLite it cannot write once the test
// transaction has written (one writer at a time).
//
// On SQLite, tests sharing one database must not run in parallel: the
// first transaction to write holds the write lock until its test ends.
// On PostgreSQL they may.
package txtest
