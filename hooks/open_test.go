package hooks_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/internal/wire"
)

// openGORM opens a clean database of kind with gorm.Open and cfg, and
// registers the plugin with db.Use, as a user of plain GORM does. Its
// traffic goes through a wire of the test's own.
func openGORM(tb testing.TB, kind testdb.Kind, cfg gorm.Config, opts ...hooks.Option) (*gorm.DB, *wire.Recorder) {
	tb.Helper()
	sqlDB, w := openWireDB(tb, kind)
	return gormOn(tb, kind, sqlDB, cfg, opts...), w
}

// gormOn opens GORM with cfg on sqlDB and registers the plugin.
func gormOn(tb testing.TB, kind testdb.Kind, sqlDB *sql.DB, cfg gorm.Config, opts ...hooks.Option) *gorm.DB {
	tb.Helper()
	var dial gorm.Dialector
	if kind == testdb.Postgres {
		dial = postgres.New(postgres.Config{Conn: sqlDB})
	} else {
		dial = sqlite.New(sqlite.Config{Conn: sqlDB})
	}
	if cfg.Logger == nil {
		cfg.Logger = logger.Discard
	}
	db, err := gorm.Open(dial, &cfg)
	if err != nil {
		tb.Fatalf("gorm.Open: %v", err)
	}
	if err := db.Use(hooks.New(opts...)); err != nil {
		tb.Fatalf("db.Use: %v", err)
	}
	return db
}

// openWireDB opens a *sql.DB on a fresh database of kind (an in-memory
// SQLite database, a new PostgreSQL schema), closed at cleanup.
func openWireDB(tb testing.TB, kind testdb.Kind) (*sql.DB, *wire.Recorder) {
	tb.Helper()
	var sqlDB *sql.DB
	var w *wire.Recorder
	if kind == testdb.Postgres {
		sqlDB, w = wire.Open(stdlib.GetDefaultDriver(), pgSchema(tb))
	} else {
		sqlDB, w = wire.Open(&sqlite3.SQLiteDriver{}, "file:/hooks-"+randomHex()+"?vfs=memdb&_foreign_keys=1&_busy_timeout=5000")
		sqlDB.SetMaxIdleConns(4) // the database lives as long as a connection does
	}
	tb.Cleanup(func() { _ = sqlDB.Close() })
	return sqlDB, w
}

// pgSchema creates a fresh schema, dropped at cleanup, and returns the DSN
// whose search_path is that schema.
func pgSchema(tb testing.TB) string {
	tb.Helper()
	dsn := testdb.PostgresDSN()
	schema := "hx_" + randomHex()
	adminExec(tb, dsn, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { adminExec(tb, dsn, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

func adminExec(tb testing.TB, dsn, stmt string) {
	tb.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// kindsOf returns the configured database kinds.
func kindsOf(testing.TB) []testdb.Kind { return testdb.Kinds() }

// clockOpt is the plugin option of a test clock.
func clockOpt(c *clock) hooks.Option { return hooks.WithClock(c.Now) }
