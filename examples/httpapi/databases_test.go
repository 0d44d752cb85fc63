package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// This file is the per-database test helper that docs/testing.md describes,
// written the way an application outside gormext would write it (gormext's
// own internal/testdb cannot be imported from another module). Copy it into
// your project and adjust the names.

// quiet drops the SQL log: the tests provoke failing statements on purpose.
var quiet = slog.New(slog.DiscardHandler)

// postgresEnv names the variable holding the PostgreSQL DSN for tests.
const postgresEnv = "GORMEXT_TEST_POSTGRES_DSN"

// eachDatabase runs body once per configured database, as subtests named
// "sqlite" and "postgres": a fresh in-memory SQLite database always, and a
// fresh PostgreSQL schema when postgresEnv is set. The tables are created
// first; everything is dropped at cleanup.
func eachDatabase(t *testing.T, body func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	urls := map[string]func(t *testing.T) string{"sqlite": func(*testing.T) string { return "sqlite::memory:" }}
	if dsn := strings.TrimSpace(os.Getenv(postgresEnv)); dsn != "" {
		urls["postgres"] = func(t *testing.T) string { return freshSchema(t, dsn) }
	}
	for _, name := range []string{"sqlite", "postgres"} {
		url, ok := urls[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) { body(t, openTestDB(t, url(t))) })
	}
}

// openTestDB opens url with database.Open, applies the migrations and
// closes the pool at cleanup.
func openTestDB(t *testing.T, url string) *gorm.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, database.Config{URL: url, Logger: quiet})
	if err != nil {
		t.Fatalf("opening the test database: %v", err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	if err := Migrate(context.Background(), db); err != nil {
		t.Fatalf("applying the migrations: %v", err)
	}
	return db
}

// freshSchema creates a schema of its own for the test, drops it at cleanup
// and returns dsn with search_path pointing at it, so that parallel tests
// and packages never see each other's tables.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin := openTestDBRaw(t, dsn)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
		_ = database.Close(admin)
	})
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

// openTestDBRaw opens dsn without creating tables, for administration.
func openTestDBRaw(t *testing.T, dsn string) *gorm.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, database.Config{URL: dsn, PoolSize: 1, MaxOverflow: -1, Logger: quiet})
	if err != nil {
		t.Fatalf("connecting to PostgreSQL (%s): %v", postgresEnv, err)
	}
	return db
}
