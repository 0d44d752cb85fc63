package migrate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gormext/gormext/migrate"
)

// rtAuthorV1Plus is version 1 with a field added and no migration for it.
type rtAuthorV1Plus struct {
	ID       int64
	Name     string `gorm:"size:100;not null"`
	Nickname string
	Score    int
	Twitter  string
}

func (rtAuthorV1Plus) TableName() string { return "rt_authors" }

func sqlFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
	return m
}

func TestCLIDiffAndCheck(t *testing.T) {
	for kind, url := range cliURLs(t) {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cfg := migrate.Config{Dir: dir, URL: url, Models: modelsV1}
			mustCLI(t, cfg, "created", "diff", "init")
			code, _, errOut := cliRun(t, cfg, "check")
			if code != migrate.ExitDrift || !strings.Contains(errOut, "_init.sql") {
				t.Fatalf("check with a pending migration: exit %d %s", code, errOut)
			}
			code, _, errOut = cliRun(t, cfg, "diff", "again")
			if code != migrate.ExitError || !strings.Contains(errOut, "run up") || len(sqlFiles(t, dir)) != 1 {
				t.Fatalf("diff on a database not up to date: exit %d %s", code, errOut)
			}
			mustCLI(t, cfg, "applied", "up")
			mustCLI(t, cfg, "matches", "check")
			mustCLI(t, cfg, "no changes", "diff", "nothing")

			cfg.Models = []any{&rtAuthorV1Plus{}}
			code, _, errOut = cliRun(t, cfg, "check")
			if code != migrate.ExitDrift || !strings.Contains(errOut, "twitter") {
				t.Fatalf("check after a model gained a field: exit %d %s", code, errOut)
			}
			mustCLI(t, cfg, "created", "diff", "add twitter")
			mustCLI(t, cfg, "applied", "up")
			mustCLI(t, cfg, "matches", "check")

			cfg.Models = modelsV2
			code, _, errOut = cliRun(t, cfg, "diff", "v2")
			if code != migrate.ExitError || !strings.Contains(errOut, "drops column rt_authors.nickname") ||
				!strings.Contains(errOut, "nothing written") || len(sqlFiles(t, dir)) != 2 {
				t.Fatalf("destructive diff: exit %d %s", code, errOut)
			}
			code, out, errOut := cliRun(t, cfg, "diff", "--allow-destructive", "v2")
			if code != migrate.ExitOK || !strings.Contains(errOut, "warning: drops column") {
				t.Fatalf("diff --allow-destructive: exit %d %s %s", code, out, errOut)
			}
			files := sqlFiles(t, dir)
			body, _ := os.ReadFile(files[len(files)-1])
			if !strings.Contains(string(body), "-- WARNING: destructive: drops column rt_authors.nickname") ||
				!strings.Contains(string(body), "rename cannot be told") {
				t.Fatalf("generated file lacks its warnings:\n%s", body)
			}
			mustCLI(t, cfg, "applied", "up")
			mustCLI(t, cfg, "matches", "check")
			mustCLI(t, cfg, "reverted", "down")
			if code, _, errOut = cliRun(t, cfg, "check"); code != migrate.ExitDrift || !strings.Contains(errOut, "_v2.sql") {
				t.Fatalf("check after down: exit %d %s", code, errOut)
			}
		})
	}
}

func TestCLIDiffWithoutModels(t *testing.T) {
	cfg := migrate.Config{Dir: t.TempDir(), URL: "sqlite:///" + filepath.Join(t.TempDir(), "x.db")}
	code, _, errOut := cliRun(t, cfg, "diff", "x")
	if code != migrate.ExitError || !strings.Contains(errOut, "Config.Models") {
		t.Fatalf("diff without models: exit %d %s", code, errOut)
	}
}

func TestCLIPerDialectDirectories(t *testing.T) {
	for kind, url := range cliURLs(t) {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cfg := migrate.Config{Dir: dir, URL: url, Models: modelsV1, PerDialect: true}
			mustCLI(t, cfg, filepath.Join(dir, kind), "diff", "init")
			mustCLI(t, cfg, "_init.sql", "up")
			mustCLI(t, cfg, filepath.Join(dir, kind), "new", "backfill")
			if n := len(sqlFiles(t, filepath.Join(dir, kind))); n != 2 {
				t.Fatalf("%d files in %s, want 2", n, kind)
			}
			code, _, errOut := cliRun(t, cfg, "up")
			if code != migrate.ExitError || !strings.Contains(errOut, "_backfill.sql") || !strings.Contains(errOut, "no statement") {
				t.Fatalf("up with the empty template: exit %d %s", code, errOut)
			}
		})
	}
}

// Config.Exclude leaves out of diff and check the tables no model maps,
// such as those a library creates with SQL of its own (an outbox table).
func TestCLIExcludedTables(t *testing.T) {
	for kind, url := range cliURLs(t) {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cfg := migrate.Config{Dir: dir, URL: url, Models: modelsV1}
			mustCLI(t, cfg, "created", "diff", "init")
			mustCLI(t, cfg, "created", "new", "rt_unmapped")
			files := sqlFiles(t, dir)
			sql := "-- migrate:up\nCREATE TABLE rt_unmapped (id bigint PRIMARY KEY);\n-- migrate:down\nDROP TABLE rt_unmapped;\n"
			if err := os.WriteFile(files[len(files)-1], []byte(sql), 0o644); err != nil {
				t.Fatal(err)
			}
			mustCLI(t, cfg, "applied", "up")
			code, _, errOut := cliRun(t, cfg, "check")
			if code != migrate.ExitDrift || !strings.Contains(errOut, "rt_unmapped") {
				t.Fatalf("check with an unmapped table and no Exclude: exit %d %s", code, errOut)
			}
			cfg.Exclude = []string{"rt_unmapped"}
			mustCLI(t, cfg, "matches", "check")
			mustCLI(t, cfg, "no changes", "diff", "nothing")
			mustCLI(t, cfg, "reverted", "down", "--to", "0")
		})
	}
}
