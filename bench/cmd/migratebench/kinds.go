package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for schema administration
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// kind makes fresh databases of one family.
type kind struct {
	name, dialect string
	fresh         func(ctx context.Context) (*gorm.DB, func(), error)
}

func open(ctx context.Context, url string) (*gorm.DB, error) {
	return database.Open(ctx, database.Config{URL: url, Logger: slog.New(slog.DiscardHandler)})
}

// sqliteKind makes a new database file per call.
func sqliteKind(dir string) kind {
	return kind{name: "SQLite (file, WAL)", dialect: "sqlite", fresh: func(ctx context.Context) (*gorm.DB, func(), error) {
		path := filepath.Join(dir, "migratebench-"+randomName()+".db")
		db, err := open(ctx, "sqlite:///"+path)
		if err != nil {
			return nil, nil, err
		}
		return db, func() {
			_ = database.Close(db)
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
		}, nil
	}}
}

// postgresKind makes a new schema per call, dropped at cleanup.
func postgresKind(dsn string) kind {
	return kind{name: "PostgreSQL", dialect: "postgres", fresh: func(ctx context.Context) (*gorm.DB, func(), error) {
		schema := "migratebench_" + randomName()
		if err := admin(ctx, dsn, "CREATE SCHEMA "+schema); err != nil {
			return nil, nil, err
		}
		db, err := open(ctx, withSearchPath(dsn, schema))
		if err != nil {
			return nil, nil, err
		}
		return db, func() {
			_ = database.Close(db)
			_ = admin(context.Background(), dsn, "DROP SCHEMA "+schema+" CASCADE")
		}, nil
	}}
}

func admin(ctx context.Context, dsn, stmt string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func withSearchPath(dsn, schema string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

func randomName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
