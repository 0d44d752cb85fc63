package migrate_test

import (
	"context"
	"io/fs"
	"log/slog"
	"testing"
	"testing/fstest"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/migrate"
)

// files builds an in-memory migrations directory from name → content.
func files(m map[string]string) fs.FS {
	out := fstest.MapFS{}
	for name, body := range m {
		out[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return out
}

func sqlFile(up, down string) string {
	return "-- migrate:up\n" + up + "\n\n-- migrate:down\n" + down + "\n"
}

func mustSource(t *testing.T, fsys fs.FS, gos ...migrate.GoMigration) *migrate.Source {
	t.Helper()
	src, err := migrate.Load(fsys, ".", gos...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return src
}

func mustMigrator(t *testing.T, db *gorm.DB, src *migrate.Source) *migrate.Migrator {
	t.Helper()
	m, err := migrate.New(db, src)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func mustUp(t *testing.T, m *migrate.Migrator) []migrate.Result {
	t.Helper()
	res, err := m.Up(context.Background())
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	return res
}

func current(t *testing.T, m *migrate.Migrator) int64 {
	t.Helper()
	v, err := m.Current(context.Background())
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	return v
}

func hasTable(db *gorm.DB, name string) bool { return db.Migrator().HasTable(name) }

func hasColumn(db *gorm.DB, table, column string) bool { return db.Migrator().HasColumn(table, column) }

func count(t *testing.T, db *gorm.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func openURL(ctx context.Context, url string) (*gorm.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return database.Open(ctx, database.Config{URL: url, PoolSize: 4, Logger: slog.New(slog.DiscardHandler)})
}

func closeQuietly(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
