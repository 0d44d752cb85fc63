// Quickstart is a guided tour of gormext on an in-memory SQLite database.
//
//	go run ./examples/quickstart
//
// It needs no configuration and prints each step as it runs it:
//
//  1. models that embed the entity structs get UUIDv7 keys, timestamps from
//     an injected clock and validation that refuses a bad row before any SQL
//     is sent; an audit entry embedding ImmutableEntity cannot be changed;
//  2. a filter struct and a sort spec turn into a sorted listing, read as
//     offset pages (the Paginated JSON) and as signed keyset (cursor) pages;
//  3. txctx.Run commits the outer transaction while a nested Run (a
//     savepoint) rolls back;
//  4. an after-commit callback publishes an event only once the transaction
//     has committed;
//  5. an audit row written with txctx.RunNew survives the rollback of the
//     outer transaction, and an AfterRollback callback records the failure.
//
// Set DATABASE_URL to run the same tour on PostgreSQL
// (DATABASE_URL=postgres://user@host/db go run ./examples/quickstart). The
// tour then drops and re-creates its own tables (tour_authors,
// tour_articles, tour_audit_entries) so that it can be run again.
// DATABASE_ECHO=1 logs every SQL statement the tour sends to stderr.
//
// The clock is injected (database.Config.Hooks with hooks.WithClock), so the
// output is the same on every run; main_test.go compares it with
// testdata/tour.golden on SQLite, and on PostgreSQL when
// GORMEXT_TEST_POSTGRES_DSN is set.
//
// A note on SQLite: an in-memory database allows one writer at a time and
// its transactions are deferred (they take the write lock at their first
// write). An independent transaction (txctx.RunNew) can therefore write only
// while the outer transaction has not written yet; the tour writes its audit
// row first. AfterRollback, which runs once the outer transaction is gone,
// is the portable way to record a failure on every database.
package main
