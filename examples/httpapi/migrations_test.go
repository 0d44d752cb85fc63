package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/migrate"
	"github.com/gormext/gormext/migrate/migratetest"
)

// The migrations under migrations/ build exactly the schema the models
// need, on every database, besides UnmappedTables: a model changed without
// `make migrate-diff` fails here.
func TestMigrationsMatchTheModels(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		src, err := Migrations(db)
		if err != nil {
			t.Fatal(err)
		}
		if len(src.Migrations()) == 0 {
			t.Fatal("no migrations for this database")
		}
		migratetest.Apply(t, db, src)
		err = migrate.Check(context.Background(), db, Models(), migrate.DiffOptions{Exclude: UnmappedTables()})
		var drift *migrate.DriftError
		if errors.As(err, &drift) {
			t.Errorf("the migrations do not build the schema the models need; a new migration would run:\n\t%s",
				strings.Join(drift.Statements, ";\n\t"))
		} else if err != nil {
			t.Fatal(err)
		}
		for _, table := range UnmappedTables() {
			if !db.Migrator().HasTable(table) {
				t.Errorf("the migrations create no table %s", table)
			}
		}
	})
}

// "httpapi migrate" is the migration command of the service.
func TestMigrateCommand(t *testing.T) {
	url := "sqlite:///" + filepath.Join(t.TempDir(), "api.db")
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		cfg := migrateConfig(nil)
		cfg.Stdout, cfg.Stderr = &out, &out
		code := migrate.Run(context.Background(), cfg, append([]string{"--url", url}, args...))
		return code, out.String()
	}
	for _, step := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check"}, migrate.ExitDrift, "pending"},
		{[]string{"up"}, migrate.ExitOK, "_init.sql"},
		{[]string{"check"}, migrate.ExitOK, "matches"},
		{[]string{"history"}, migrate.ExitOK, "outbox (head)"},
	} {
		code, out := run(step.args...)
		if code != step.code || !strings.Contains(out, step.want) {
			t.Fatalf("%v: exit %d, want %d and %q in\n%s", step.args, code, step.code, step.want, out)
		}
	}
}
