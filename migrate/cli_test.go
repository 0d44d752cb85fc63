package migrate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/migrate"
)

// cliRun runs the command line and returns its exit code and outputs.
func cliRun(t *testing.T, cfg migrate.Config, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cfg.Stdout, cfg.Stderr, cfg.Name = &out, &errOut, "migrate"
	code := migrate.Run(context.Background(), cfg, args)
	return code, out.String(), errOut.String()
}

// cliURLs are a database URL per configured kind.
func cliURLs(t *testing.T) map[string]string {
	urls := map[string]string{"sqlite": "sqlite:///" + filepath.Join(t.TempDir(), "cli.db")}
	if testdb.PostgresDSN() != "" {
		_, urls["postgres"] = testdb.Raw(t, testdb.Postgres)
	}
	return urls
}

func TestCLIHelp(t *testing.T) {
	cfg := migrate.Config{Dir: t.TempDir()}
	code, out, _ := cliRun(t, cfg, "--help")
	for _, want := range []string{"new NAME", "up", "down", "redo", "status", "current", "history", "stamp VERSION", "sql", "rehash", "Exit codes"} {
		if code != migrate.ExitOK || !strings.Contains(out, want) {
			t.Fatalf("--help (exit %d) lacks %q:\n%s", code, want, out)
		}
	}
	for _, cmd := range []string{"up", "down", "sql"} {
		code, out, _ = cliRun(t, cfg, cmd, "--help")
		if code != migrate.ExitOK || !strings.Contains(out, "-to") {
			t.Fatalf("%s --help (exit %d):\n%s", cmd, code, out)
		}
	}
	if code, out, _ = cliRun(t, cfg, "help", "stamp"); code != migrate.ExitOK || !strings.Contains(out, "AutoMigrate") {
		t.Fatalf("help stamp (exit %d):\n%s", code, out)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	cfg := migrate.Config{Dir: t.TempDir(), URL: "sqlite::memory:"}
	cases := [][]string{{}, {"launch"}, {"new"}, {"new", "a", "b"}, {"up", "--bogus"}, {"stamp"}, {"up", "--to", "yesterday"}, {"up", "--to", "base"}, {"new", "!!!"}}
	for _, args := range cases {
		code, _, errOut := cliRun(t, cfg, args...)
		if code != migrate.ExitUsage || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q; want %d and a message", args, code, errOut, migrate.ExitUsage)
		}
	}
}

func TestCLIWorkflow(t *testing.T) {
	for kind, url := range cliURLs(t) {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cfg := migrate.Config{Dir: dir, URL: url}
			code, out, errOut := cliRun(t, cfg, "new", "Create people")
			if code != migrate.ExitOK || !strings.Contains(out, "_create_people.sql") {
				t.Fatalf("new: exit %d %s %s", code, out, errOut)
			}
			path := strings.TrimSpace(strings.TrimPrefix(out, "created "))
			body := sqlFile("CREATE TABLE cli_people (id INTEGER PRIMARY KEY);", "DROP TABLE cli_people;")
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, _ = cliRun(t, cfg, "sql")
			if code != migrate.ExitOK || !strings.Contains(out, "CREATE TABLE cli_people") {
				t.Fatalf("sql: exit %d\n%s", code, out)
			}
			mustCLI(t, cfg, "applied", "up")
			mustCLI(t, cfg, "applied", "status")
			mustCLI(t, cfg, "(head)", "current")
			mustCLI(t, cfg, "create_people (head)", "history")
			mustCLI(t, cfg, "reverted", "down")
			mustCLI(t, cfg, "none (base)", "current")
			mustCLI(t, cfg, "stamped", "stamp", "head")
			mustCLI(t, cfg, "none (base)", "stamp", "base")
			mustCLI(t, cfg, "pending", "status")
			mustCLI(t, cfg, "applied", "up", "--to", "head")
			mustCLI(t, cfg, "reverted", "redo")
			if err := os.WriteFile(path, []byte(body+"-- edited\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, errOut = cliRun(t, cfg, "up")
			if code != migrate.ExitError || !strings.Contains(errOut, filepath.Base(path)) || !strings.Contains(errOut, "rehash") {
				t.Fatalf("up after an edit: exit %d, %s", code, errOut)
			}
			mustCLI(t, cfg, "FILE EDITED", "status")
			mustCLI(t, cfg, "rehashed", "rehash")
			mustCLI(t, cfg, "nothing to do", "up")
		})
	}
}

func mustCLI(t *testing.T, cfg migrate.Config, want string, args ...string) {
	t.Helper()
	code, out, errOut := cliRun(t, cfg, args...)
	if code != migrate.ExitOK || !strings.Contains(out, want) {
		t.Fatalf("%q: exit %d, want %q in\n%s%s", args, code, want, out, errOut)
	}
}

func TestCLIFailuresAreClear(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cli.db")
	url := "sqlite:///" + dbPath
	missing := filepath.Join(t.TempDir(), "nowhere")
	code, _, errOut := cliRun(t, migrate.Config{Dir: missing, URL: url}, "up")
	if code != migrate.ExitError || !strings.Contains(errOut, missing) {
		t.Fatalf("missing dir: exit %d %s", code, errOut)
	}
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "1_a.sql"), []byte(sqlFile("CREATE TABLE cli_a (id INTEGER);\nCREATE TABLE cli_a (id INTEGER);", "")), 0o644)
	code, out, errOut := cliRun(t, migrate.Config{Dir: dir, URL: url}, "up")
	if code != migrate.ExitError || !strings.Contains(errOut, "1_a.sql") || !strings.Contains(errOut, "statement 2 at line 3") {
		t.Fatalf("failing statement: exit %d %s", code, errOut)
	}
	if strings.Contains(out, "nothing to do") {
		t.Fatalf("a failed up says %q", out)
	}
	_ = os.WriteFile(filepath.Join(dir, "2_b.sql"), []byte("-- migrate:up\nSELECT 1;\n"), 0o644)
	code, _, errOut = cliRun(t, migrate.Config{Dir: dir, URL: url}, "up")
	if code != migrate.ExitError || !strings.Contains(errOut, "2_b.sql") {
		t.Fatalf("hostile file: exit %d %s", code, errOut)
	}
	db, err := openURL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer closeQuietly(db)
	if hasTable(db, "cli_a") || count(t, db, "SELECT COUNT(*) FROM "+migrate.DefaultTable) != 0 {
		t.Fatal("something was applied")
	}
	t.Setenv("DATABASE_URL", "")
	code, _, errOut = cliRun(t, migrate.Config{Dir: t.TempDir()}, "status")
	if code != migrate.ExitError || !strings.Contains(errOut, "DATABASE_URL") {
		t.Fatalf("no URL: exit %d %s", code, errOut)
	}
}

// FS with FSDir "." is a package that embeds its own directory.
func TestCLIReadsMigrationsFromFS(t *testing.T) {
	fsys := files(map[string]string{"1_a.sql": sqlFile("CREATE TABLE cli_fs (id INTEGER);", "DROP TABLE cli_fs;")})
	cfg := migrate.Config{FS: fsys, FSDir: ".", Dir: t.TempDir(), URL: "sqlite:///" + filepath.Join(t.TempDir(), "fs.db")}
	mustCLI(t, cfg, "applied  1_a.sql", "up")
	mustCLI(t, cfg, "1 a (head)", "history")
	cfg.FSDir = ""
	code, _, errOut := cliRun(t, cfg, "status")
	if code != migrate.ExitError || !strings.Contains(errOut, "not found") {
		t.Fatalf("FS without FSDir reads Dir inside it: exit %d %s", code, errOut)
	}
}

// TestCLIPoolSettingsFromTheEnvironment: the pool variables apply when the
// URL comes from --url or Config.URL, not only from DATABASE_URL.
func TestCLIPoolSettingsFromTheEnvironment(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("DATABASE_POOL_SIZE", "3")
	url := "sqlite:///" + filepath.Join(t.TempDir(), "pool.db")
	for _, args := range [][]string{{"--url", url, "status"}, {"status"}} {
		var got database.Config
		cfg := migrate.Config{Dir: t.TempDir(), Database: func(c *database.Config) { got = *c }}
		if len(args) == 1 {
			cfg.URL = url
		}
		if code, _, errOut := cliRun(t, cfg, args...); code != migrate.ExitOK {
			t.Fatalf("%q: exit %d %s", args, code, errOut)
		}
		if got.PoolSize != 3 || got.URL != url {
			t.Errorf("%q: pool size %d, URL %q; want 3 from DATABASE_POOL_SIZE and %q", args, got.PoolSize, got.URL, url)
		}
	}
}
