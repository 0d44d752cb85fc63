// Package reliability holds the fault tests of gormext: what the data layer
// (package database's pool, package txctx's transactions) guarantees when
// PostgreSQL restarts, kills backends, times statements out, detects a
// deadlock, or has fewer connections than callers.
//
// The package has no API: its tests are the deliverable, and
// docs/reliability.md records what they ran, what they injected and what
// held. Each test starts a private PostgreSQL cluster (package
// internal/pgfault) so that restarting it disturbs nothing else; tests skip
// when the PostgreSQL server binaries are not installed, unless
// GORMEXT_TEST_POSTGRES_DSN is set.
//
//	go test -race -count=1 ./reliability            # short versions (make test)
//	go test -race -count=1 ./reliability -soak=2m   # long versions (make soak)
//
// Every test checks the same ledger: a transaction whose txctx.Run returned
// nil left its row; one that failed before COMMIT left none; one whose
// COMMIT was sent but whose answer was lost (an error wrapping
// txctx.ErrCommit) is in doubt and only counted.
package reliability
