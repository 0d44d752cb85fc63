package main

import (
	"context"
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/gorm"

	"github.com/gormext/gormext/migrate"
)

// tool is a migration library under test.
type tool interface {
	name() string
	format() format
	prepare(db *gorm.DB, dialect string, fsys fs.FS) (runner, error)
}

type runner interface {
	up(ctx context.Context) error
	status(ctx context.Context) error
}

// format is how a tool writes a migration's sections.
type format struct{ up, down string }

// noops is n migrations that each run SELECT 1.
func noops(f format, n int) fs.FS {
	return files(f, n, func(int) (string, string) { return "SELECT 1;", "SELECT 1;" })
}

// tables is n migrations that each create a small table.
func tables(f format, n int) fs.FS {
	return files(f, n, func(i int) (string, string) {
		return fmt.Sprintf("CREATE TABLE bench_t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL);", i),
			fmt.Sprintf("DROP TABLE bench_t%d;", i)
	})
}

func files(f format, n int, body func(int) (string, string)) fs.FS {
	out := fstest.MapFS{}
	for i := 1; i <= n; i++ {
		up, down := body(i)
		out[fmt.Sprintf("%05d_m%d.sql", i, i)] = &fstest.MapFile{Data: []byte(f.up + "\n" + up + "\n" + f.down + "\n" + down + "\n")}
	}
	return out
}

type migrateTool struct{}

func (migrateTool) name() string   { return "migrate" }
func (migrateTool) format() format { return format{migrate.UpMarker, migrate.DownMarker} }

func (migrateTool) prepare(db *gorm.DB, _ string, fsys fs.FS) (runner, error) {
	src, err := migrate.Load(fsys, ".")
	if err != nil {
		return nil, err
	}
	m, err := migrate.New(db, src)
	return migrateRunner{m}, err
}

type migrateRunner struct{ m *migrate.Migrator }

func (r migrateRunner) up(ctx context.Context) error {
	_, err := r.m.Up(ctx)
	return err
}

func (r migrateRunner) status(ctx context.Context) error {
	_, err := r.m.Status(ctx)
	return err
}

type gooseTool struct{}

func (gooseTool) name() string   { return "goose" }
func (gooseTool) format() format { return format{"-- +goose Up", "-- +goose Down"} }

func (gooseTool) prepare(db *gorm.DB, dialect string, fsys fs.FS) (runner, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if dialect == "postgres" {
		d = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d, sqlDB, fsys, opts...)
	return gooseRunner{p}, err
}

type gooseRunner struct{ p *goose.Provider }

func (r gooseRunner) up(ctx context.Context) error {
	_, err := r.p.Up(ctx)
	return err
}

func (r gooseRunner) status(ctx context.Context) error {
	_, err := r.p.Status(ctx)
	return err
}
