// Package pgfault starts a private PostgreSQL cluster for fault-injection
// tests: initdb into the test's temporary directory, a free port on
// 127.0.0.1, trust authentication, stopped (and removed) at cleanup. Tests
// can stop, start and restart that server and kill its backends with
// pg_terminate_backend without disturbing anything else running on the
// shared server.
//
//	srv := pgfault.Start(t)        // skips when PostgreSQL is not installed
//	db, _ := database.Open(ctx, database.Config{URL: srv.DSN("app")})
//	srv.Restart(t)                 // pg_ctl stop -m fast, then start
//	n := srv.Terminate(t, "app")   // pg_terminate_backend of app's backends
//
// The binaries are looked up in $PG_BINDIR, then in
// /usr/lib/postgresql/<version>/bin (newest first), then with
// pg_config --bindir. PostgreSQL refuses to run as root: when the test runs
// as root, initdb and pg_ctl run as user postgres (runuser -u postgres),
// in a directory that user owns.
//
// When the binaries are missing the test is skipped, unless
// GORMEXT_TEST_POSTGRES_DSN is set (CI): a configured PostgreSQL is never
// skipped, so there a missing binary fails the test.
package pgfault
