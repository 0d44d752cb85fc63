// Package bench holds benchmarks that compare gormext with other libraries.
// It is a module of its own so that users of gormext never download those
// libraries, and `go test ./...` in the main module never runs them.
//
// Run from this folder, with PostgreSQL:
//
//	GORMEXT_TEST_POSTGRES_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable" \
//	  go test -run '^$' -bench . -benchmem -count 10 . | tee bench.out
//
// cmd/sidebyside prints one table of gormext beside plain GORM, raw
// database/sql and trm, per database (make bench-side from the root).
//
// See docs/benchmarks.md for the figures.
package bench
