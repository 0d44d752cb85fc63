package migrate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/migrate"
)

// TestOutOfOrderRefused: a migration that arrives with a version below the
// applied one (a branch merged late) is refused by Up and by the SQL
// preview, naming the file, with nothing applied; AllowOutOfOrder applies
// it.
func TestOutOfOrderRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		first := map[string]string{
			"20260101000000_a.sql": sqlFile("CREATE TABLE ooo_a (id INTEGER PRIMARY KEY);", "DROP TABLE ooo_a;"),
			"20260301000000_c.sql": sqlFile("CREATE TABLE ooo_c (id INTEGER PRIMARY KEY);", "DROP TABLE ooo_c;"),
		}
		mustUp(t, mustMigrator(t, db, mustSource(t, files(first))))
		t.Cleanup(func() { _ = db.Migrator().DropTable("ooo_a", "ooo_b", "ooo_c", migrate.DefaultTable) })

		merged := map[string]string{"20260201000000_b.sql": sqlFile("CREATE TABLE ooo_b (id INTEGER PRIMARY KEY);", "DROP TABLE ooo_b;")}
		for k, v := range first {
			merged[k] = v
		}
		src := mustSource(t, files(merged))
		m := mustMigrator(t, db, src)
		res, err := m.Up(ctx)
		if !errors.Is(err, migrate.ErrOutOfOrder) || !strings.Contains(err.Error(), "20260201000000_b.sql") || len(res) != 0 {
			t.Fatalf("Up = %d applied, %v; want ErrOutOfOrder naming the file", len(res), err)
		}
		if hasTable(db, "ooo_b") {
			t.Fatal("the refused migration ran")
		}
		if _, err := m.Pending(ctx, 0); !errors.Is(err, migrate.ErrOutOfOrder) {
			t.Fatalf("Pending = %v, want ErrOutOfOrder", err)
		}

		allowed, err := migrate.New(db, src, migrate.AllowOutOfOrder())
		if err != nil {
			t.Fatal(err)
		}
		if res := mustUp(t, allowed); len(res) != 1 || res[0].Migration.Version != 20260201000000 || !hasTable(db, "ooo_b") {
			t.Fatalf("with AllowOutOfOrder: %+v, table ooo_b %v; want b applied", res, hasTable(db, "ooo_b"))
		}
		if res, err := m.Up(ctx); err != nil || len(res) != 0 {
			t.Fatalf("Up once everything is applied: %v, %v", res, err)
		}
	})
}

// TestCLIOutOfOrder: up refuses a late-merged migration with exit 1 and a
// message naming it and the flag; up --allow-out-of-order applies it.
func TestCLIOutOfOrder(t *testing.T) {
	for kind, url := range cliURLs(t) {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, table string) {
				body := sqlFile("CREATE TABLE "+table+" (id INTEGER PRIMARY KEY);", "DROP TABLE "+table+";")
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg := migrate.Config{Dir: dir, URL: url}
			write("20260301000000_late_c.sql", "cli_late_c")
			if code, out, errOut := cliRun(t, cfg, "up"); code != migrate.ExitOK {
				t.Fatalf("up: exit %d %s %s", code, out, errOut)
			}
			write("20260201000000_late_b.sql", "cli_late_b")
			code, _, errOut := cliRun(t, cfg, "up")
			if code != migrate.ExitError || !strings.Contains(errOut, "20260201000000_late_b.sql") || !strings.Contains(errOut, "--allow-out-of-order") {
				t.Fatalf("up of a late migration: exit %d, stderr %q; want %d naming the file and the flag", code, errOut, migrate.ExitError)
			}
			if code, out, errOut := cliRun(t, cfg, "up", "--allow-out-of-order"); code != migrate.ExitOK || !strings.Contains(out, "20260201000000_late_b.sql") {
				t.Fatalf("up --allow-out-of-order: exit %d %s %s", code, out, errOut)
			}
		})
	}
}
