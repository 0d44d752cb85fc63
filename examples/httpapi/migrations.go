package main

import (
	"context"
	"embed"
	"fmt"

	"gorm.io/gorm"

	"github.com/gormext/gormext/migrate"
	"github.com/gormext/gormext/outbox"
)

// migrationFiles are the service's migrations, one directory per database
// (migrations/sqlite, migrations/postgres), built into the binary.
//
//go:embed migrations
var migrationFiles embed.FS

// migrateConfig is the configuration of the migration command,
// "httpapi migrate ..." (see main).
func migrateConfig(args []string) migrate.Config {
	return migrate.Config{
		FS:         migrationFiles,
		Dir:        "migrations",
		PerDialect: true,
		Models:     Models(),
		Exclude:    UnmappedTables(),
		Name:       "httpapi migrate",
		Args:       args,
	}
}

// UnmappedTables are the tables the migrations create that no model maps,
// which diff and check leave out: the outbox table of the domain events
// (outbox.Schema, written by hand in the *_outbox.sql migrations).
func UnmappedTables() []string { return []string{outbox.DefaultTable} }

// Migrations returns the migrations for db's database.
func Migrations(db *gorm.DB) (*migrate.Source, error) {
	return migrate.Load(migrationFiles, "migrations/"+db.Dialector.Name())
}

// Migrate applies the pending migrations. Every instance calls it at start;
// they apply each migration once between them.
func Migrate(ctx context.Context, db *gorm.DB) error {
	src, err := Migrations(db)
	if err != nil {
		return err
	}
	m, err := migrate.New(db, src)
	if err != nil {
		return err
	}
	if _, err := m.Up(ctx); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	return nil
}
