package testdb

import (
	"database/sql/driver"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// Raw returns the database/sql driver and the DSN of a clean database of
// the given kind, for tests that open it below GORM (through a connector
// of their own): a new in-memory SQLite database, which lives as long as
// one of its connections is open (keep one idle), or a new PostgreSQL
// schema, dropped at cleanup.
func Raw(tb testing.TB, kind Kind) (driver.Driver, string) {
	tb.Helper()
	if kind == Postgres {
		return stdlib.GetDefaultDriver(), postgresSchemaDSN(tb)
	}
	return &sqlite3.SQLiteDriver{}, "file:/raw-" + randomName() + "?vfs=memdb&_foreign_keys=1&_busy_timeout=5000"
}

// Dialector is GORM's dialector of kind on conn, a pool opened below GORM
// (on Raw's driver and DSN, or taken from another *gorm.DB), for tests
// that open GORM on it themselves.
func Dialector(kind Kind, conn gorm.ConnPool) gorm.Dialector {
	if kind == Postgres {
		return postgres.New(postgres.Config{Conn: conn})
	}
	return sqlite.New(sqlite.Config{Conn: conn})
}
