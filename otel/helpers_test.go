package gormextotel_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the schema of each test
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// envPostgresDSN names the PostgreSQL the tests also run on when set, as
// in the core module's tests.
const envPostgresDSN = "GORMEXT_TEST_POSTGRES_DSN"

// forEachDB runs body on in-memory SQLite, and on PostgreSQL (a schema of
// its own, dropped after) when GORMEXT_TEST_POSTGRES_DSN is set, each
// opened with database.Open and adjusted by configure (may be nil).
func forEachDB(t *testing.T, configure func(*database.Config), body func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	kinds := []string{"sqlite"}
	if postgresDSN() != "" {
		kinds = append(kinds, "postgres")
	}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			url := "sqlite::memory:"
			if kind == "postgres" {
				url = schemaDSN(t)
			}
			cfg := database.Config{Logger: slog.New(slog.DiscardHandler)}
			if configure != nil {
				configure(&cfg)
			}
			cfg.URL = url
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			db, err := database.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if sqlDB, err := db.DB(); err == nil {
					_ = sqlDB.Close()
				}
			})
			body(t, db)
		})
	}
}

func postgresDSN() string { return strings.TrimSpace(os.Getenv(envPostgresDSN)) }

// schemaDSN creates a schema for the test and returns the DSN that uses it.
func schemaDSN(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "gxotel_" + hex.EncodeToString(b)
	admin(t, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { admin(t, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	dsn := postgresDSN()
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

func admin(t *testing.T, stmt string) {
	t.Helper()
	db, err := sql.Open("pgx", postgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
