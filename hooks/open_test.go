package hooks_test

import (
	"database/sql"
	"testing"

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
	if cfg.Logger == nil {
		cfg.Logger = logger.Discard
	}
	db, err := gorm.Open(testdb.Dialector(kind, sqlDB), &cfg)
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
	sqlDB, w := wire.Open(testdb.Raw(tb, kind))
	sqlDB.SetMaxIdleConns(4) // an in-memory database lives as long as a connection does
	tb.Cleanup(func() { _ = sqlDB.Close() })
	return sqlDB, w
}

// kindsOf returns the configured database kinds.
func kindsOf(testing.TB) []testdb.Kind { return testdb.Kinds() }

// clockOpt is the plugin option of a test clock.
func clockOpt(c *clock) hooks.Option { return hooks.WithClock(c.Now) }
