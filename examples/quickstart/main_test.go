package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite testdata/tour.golden with the tour's output on SQLite")

const golden = "testdata/tour.golden"

// TestTourOnSQLite runs the tour exactly as `go run ./examples/quickstart`
// does and compares its output with the golden file.
func TestTourOnSQLite(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, database.Config{URL: "sqlite::memory:"}); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compareGolden(t, out.Bytes())
}

// TestTourOnEveryDatabase runs the tour on each configured database (a
// fresh SQLite database, and a fresh PostgreSQL schema when
// GORMEXT_TEST_POSTGRES_DSN is set): the output is the same on both.
func TestTourOnEveryDatabase(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			clock := newTourClock(tourStart)
			db := testdb.Open(t, kind, testdb.WithConfig(func(c *database.Config) {
				c.Hooks = []hooks.Option{hooks.WithClock(clock.Now)}
			}))
			var out bytes.Buffer
			if err := takeTour(context.Background(), &out, db, clock); err != nil {
				t.Fatalf("tour: %v\noutput so far:\n%s", err, out.String())
			}
			compareGolden(t, out.Bytes())
		})
	}
}

// TestTourRunsTwice runs the tour twice on one database, as someone running
// it against their own PostgreSQL would: the second run starts from empty
// tables and prints the same.
func TestTourRunsTwice(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			clock := newTourClock(tourStart)
			db := testdb.Open(t, kind, testdb.WithConfig(func(c *database.Config) {
				c.Hooks = []hooks.Option{hooks.WithClock(clock.Now)}
			}))
			for i := range 2 {
				clock.micros.Store(tourStart.UnixMicro())
				var out bytes.Buffer
				if err := takeTour(context.Background(), &out, db, clock); err != nil {
					t.Fatalf("run %d: %v\noutput so far:\n%s", i+1, err, out.String())
				}
				compareGolden(t, out.Bytes())
			}
		})
	}
}

// TestRunRejectsUnknownURL checks that a bad DATABASE_URL is an error, not
// a silent fallback to SQLite.
func TestRunRejectsUnknownURL(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, database.Config{URL: "mysql://root@localhost/db"})
	if err == nil {
		t.Fatal("run with a mysql:// URL succeeded; want an error")
	}
	if out.Len() != 0 {
		t.Errorf("run printed %q before failing to open the database", out.String())
	}
}

func compareGolden(t *testing.T, got []byte) {
	t.Helper()
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading %s (run `go test ./examples/quickstart -run TestTourOnSQLite -update` to create it): %v", golden, err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gotLines), len(wantLines)); i++ {
		g, w := lineAt(gotLines, i), lineAt(wantLines, i)
		if g != w {
			t.Errorf("tour output differs from %s at line %d:\n got: %q\nwant: %q\nwhole output:\n%s", golden, i+1, g, w, got)
			return
		}
	}
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of output>"
}

// TestRunWithDatabaseURL runs the tour the way `DATABASE_URL=... go run
// ./examples/quickstart` does, on PostgreSQL in a schema of its own, when
// GORMEXT_TEST_POSTGRES_DSN is set.
func TestRunWithDatabaseURL(t *testing.T) {
	dsn := testdb.PostgresDSN()
	if dsn == "" {
		t.Skip("GORMEXT_TEST_POSTGRES_DSN is not set")
	}
	schema := fmt.Sprintf("quickstart_%d", time.Now().UnixNano())
	admin := testdb.Open(t, testdb.Postgres)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	t.Setenv("DATABASE_URL", withSearchPath(dsn, schema))
	cfg, err := database.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out, cfg); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	compareGolden(t, out.Bytes())
	var tables int64
	if err := admin.Raw("SELECT count(*) FROM information_schema.tables WHERE table_schema = ?", schema).Scan(&tables).Error; err != nil || tables != 3 {
		t.Errorf("%d tables in schema %s (%v), want the tour's 3", tables, schema, err)
	}
}

// withSearchPath adds search_path to a PostgreSQL URL or keyword/value DSN.
func withSearchPath(dsn, schema string) string {
	switch {
	case !strings.Contains(dsn, "://"):
		return dsn + " search_path=" + schema
	case strings.Contains(dsn, "?"):
		return dsn + "&search_path=" + schema
	}
	return dsn + "?search_path=" + schema
}
