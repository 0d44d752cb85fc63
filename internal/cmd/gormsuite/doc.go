// Command gormsuite runs GORM's own test suite (the tests/ module of
// github.com/go-gorm/gorm, at the GORM version in gormext's go.mod) twice
// per database: once through GORM's own test connection (plain gorm.Open)
// and once through gormext's database.Open, which registers the hooks
// plugin, wraps the pool and translates errors. It prints the counts of
// both runs and the tests that fail only through database.Open, and exits
// non-zero when there are any.
//
//	GORMEXT_TEST_POSTGRES_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable" \
//		go run ./internal/cmd/gormsuite -src /path/to/gorm
//
// -src is a git clone of GORM (bare or not; the version's tag is read from
// it), or a directory holding GORM's tests/ as they are. Without -src (and
// without GORM_SRC), GORM is cloned from GitHub at the version's tag.
//
// GORM's tests are copied into a temporary directory and changed in two
// places only: their module requires gormext (replaced by this checkout)
// and GORM at gormext's version, and their OpenTestConnection is renamed so
// that a file of ours can choose the opener (see opener.go.txt). SQLite
// runs on a file in a private directory; PostgreSQL, when
// GORMEXT_TEST_POSTGRES_DSN is set, on a database created for each run
// and dropped after it. Nothing of GORM's is kept in this repository.
package main
