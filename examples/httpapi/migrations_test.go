package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/migrate"
	"github.com/gormext/gormext/migrate/migratetest"
)

// The migrations under migrations/ build exactly the schema the models
// need, on every database: a model changed without `make migrate-diff`
// fails here.
func TestMigrationsMatchTheModels(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		src, err := Migrations(db)
		if err != nil {
			t.Fatal(err)
		}
		if len(src.Migrations()) == 0 {
			t.Fatal("no migrations for this database")
		}
		migratetest.AssertUpToDate(t, db, src, Models()...)
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
		{[]string{"history"}, migrate.ExitOK, "init (head)"},
	} {
		code, out := run(step.args...)
		if code != step.code || !strings.Contains(out, step.want) {
			t.Fatalf("%v: exit %d, want %d and %q in\n%s", step.args, code, step.code, step.want, out)
		}
	}
}
