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

const createA = "CREATE TABLE mg_a (id INTEGER PRIMARY KEY)"

func TestLoadRefusesHostileInput(t *testing.T) {
	good := sqlFile(createA+";", "DROP TABLE mg_a;")
	cases := []struct {
		name  string
		files map[string]string
		want  []error
		names []string // what the message must mention
	}{
		{"missing down section", map[string]string{"1_a.sql": "-- migrate:up\n" + createA + ";\n"},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "-- migrate:down"}},
		{"missing up section", map[string]string{"1_a.sql": "-- migrate:down\nDROP TABLE mg_a;\n"},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "-- migrate:up"}},
		{"empty up section", map[string]string{"1_a.sql": sqlFile("", "DROP TABLE mg_a;")},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "no statement"}},
		{"duplicate versions", map[string]string{"1_a.sql": good, "01_b.sql": good},
			[]error{migrate.ErrInvalidMigration, migrate.ErrDuplicateVersion}, []string{"1_a.sql", "01_b.sql", "version 1"}},
		{"name without a version", map[string]string{"add_users.sql": good},
			[]error{migrate.ErrInvalidMigration}, []string{"add_users.sql", "VERSION_NAME.sql"}},
		{"version zero", map[string]string{"0_a.sql": good},
			[]error{migrate.ErrInvalidMigration}, []string{"0_a.sql", "positive"}},
		{"version overflowing int64", map[string]string{"99999999999999999999_a.sql": good},
			[]error{migrate.ErrInvalidMigration}, []string{"99999999999999999999_a.sql"}},
		{"empty file", map[string]string{"1_a.sql": ""},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "empty"}},
		{"blank file", map[string]string{"1_a.sql": " \n\t\n"},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "empty"}},
		{"SQL before the up marker", map[string]string{"1_a.sql": "DROP TABLE x;\n" + good},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "line 1"}},
		{"two up markers", map[string]string{"1_a.sql": "-- migrate:up\n" + good},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "second"}},
		{"down before up", map[string]string{"1_a.sql": "-- migrate:down\nDROP TABLE mg_a;\n-- migrate:up\n" + createA + ";\n"},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "before"}},
		{"unterminated quote", map[string]string{"1_a.sql": sqlFile("INSERT INTO t VALUES ('x);", "")},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql"}},
		{"BEGIN in a migration", map[string]string{"1_a.sql": sqlFile("BEGIN;\n"+createA+";\nCOMMIT;", "")},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "line 2", "BEGIN", "transaction of its own"}},
		{"COMMIT in a migration", map[string]string{"1_a.sql": sqlFile(createA+";\ncommit;", "")},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "line 3", "commit"}},
		{"BEGIN TRANSACTION ... END", map[string]string{"1_a.sql": sqlFile("BEGIN TRANSACTION;\n"+createA+";\nEND;", "")},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "BEGIN TRANSACTION"}},
		{"START TRANSACTION in Down", map[string]string{"1_a.sql": sqlFile(createA+";", "START TRANSACTION;\nDROP TABLE mg_a;")},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "START TRANSACTION"}},
		{"ROLLBACK", map[string]string{"1_a.sql": sqlFile(createA+";\nROLLBACK;", "")},
			[]error{migrate.ErrInvalidMigration}, []string{"1_a.sql", "ROLLBACK"}},
		{"one good file, one bad: both reported, none loaded", map[string]string{"1_a.sql": good, "2_b.sql": "", "c.sql": good},
			[]error{migrate.ErrInvalidMigration}, []string{"2_b.sql", "c.sql"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := migrate.Load(files(c.files), ".")
			if err == nil {
				t.Fatalf("Load succeeded with %d migrations, want an error", len(src.Migrations()))
			}
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("error %q is not %v", err, w)
				}
			}
			for _, n := range c.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error %q does not mention %q", err, n)
				}
			}
		})
	}
}

func TestLoadMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nowhere")
	_, err := migrate.LoadDir(dir)
	if !errors.Is(err, migrate.ErrNoDirectory) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("LoadDir(missing) = %v, want ErrNoDirectory naming %s", err, dir)
	}
	_, err = migrate.Load(os.DirFS(t.TempDir()), "migrations")
	if !errors.Is(err, migrate.ErrNoDirectory) || !strings.Contains(err.Error(), "migrations") {
		t.Fatalf("Load(missing) = %v, want ErrNoDirectory naming migrations", err)
	}
}

func TestLoadIgnoresOtherFilesAndOrdersByVersion(t *testing.T) {
	src := mustSource(t, files(map[string]string{
		"10_c.sql":  sqlFile("SELECT 1;", ""),
		"2_b.sql":   sqlFile("SELECT 1;", ""),
		"README.md": "not a migration",
	}), migrate.GoMigration{Version: 5, Name: "fill", Up: func(_ context.Context, tx *gorm.DB) error { return nil }})
	var got []string
	for _, m := range src.Migrations() {
		got = append(got, m.Source)
	}
	if want := "2_b.sql go:5_fill 10_c.sql"; strings.Join(got, " ") != want {
		t.Fatalf("order = %v, want %s", got, want)
	}
}

func TestStatementsKeepQuotesAndLines(t *testing.T) {
	body := "-- migrate:up\n-- a comment; not a statement\nCREATE TABLE mg_q (s TEXT DEFAULT 'a;b');\n\nINSERT INTO mg_q VALUES ('x;\ny');\n-- migrate:down\nDROP TABLE mg_q;\n"
	src := mustSource(t, files(map[string]string{"3_q.sql": body}))
	m := src.Find(3)
	if len(m.UpSQL) != 2 || len(m.DownSQL) != 1 {
		t.Fatalf("split into %d up, %d down statements: %+v", len(m.UpSQL), len(m.DownSQL), m.UpSQL)
	}
	if m.UpSQL[0].Line != 3 || m.UpSQL[1].Line != 5 || m.DownSQL[0].Line != 8 {
		t.Fatalf("lines = %d, %d, %d; want 3, 5, 8", m.UpSQL[0].Line, m.UpSQL[1].Line, m.DownSQL[0].Line)
	}
	if !strings.Contains(m.UpSQL[1].SQL, "'x;\ny'") {
		t.Fatalf("quoted semicolon split: %q", m.UpSQL[1].SQL)
	}
}

func TestTriggerBodiesAreOneStatement(t *testing.T) {
	body := "-- migrate:up\nCREATE TABLE mg_t (x INTEGER, n INTEGER);\nCREATE TRIGGER mg_tr AFTER INSERT ON mg_t BEGIN\n  UPDATE mg_t SET n = 1;\n  UPDATE mg_t SET n = n + 1;\nEND;\n" +
		"CREATE FUNCTION mg_f() RETURNS trigger AS $$ BEGIN NEW.x := 1; RETURN NEW; END; $$ LANGUAGE plpgsql;\n-- migrate:down\nDROP TABLE mg_t;\n"
	m := mustSource(t, files(map[string]string{"1_t.sql": body})).Find(1)
	if len(m.UpSQL) != 3 {
		t.Fatalf("split into %d statements: %+v", len(m.UpSQL), m.UpSQL)
	}
	if !strings.HasSuffix(m.UpSQL[1].SQL, "END;") || m.UpSQL[1].Line != 3 || m.UpSQL[2].Line != 7 {
		t.Fatalf("trigger statement %q at line %d, next at line %d", m.UpSQL[1].SQL, m.UpSQL[1].Line, m.UpSQL[2].Line)
	}
}

func TestSQLiteTriggerMigrationRuns(t *testing.T) {
	db := testdb.Open(t, testdb.SQLite)
	body := "-- migrate:up\nCREATE TABLE mg_t (x INTEGER, n INTEGER);\nCREATE TRIGGER mg_tr AFTER INSERT ON mg_t BEGIN\n  UPDATE mg_t SET n = 1;\n  UPDATE mg_t SET n = n + 1;\nEND;\n-- migrate:down\nDROP TABLE mg_t;\n"
	mustUp(t, mustMigrator(t, db, mustSource(t, files(map[string]string{"1_t.sql": body}))))
	db.Exec("INSERT INTO mg_t (x) VALUES (1)")
	if n := count(t, db, "SELECT n FROM mg_t"); n != 2 {
		t.Fatalf("trigger ran to n = %d, want 2", n)
	}
}

// Savepoints and BEGIN ... END bodies are not transaction control.
func TestSavepointsAndBlocksAreAllowed(t *testing.T) {
	up := "SAVEPOINT s1;\nCREATE TABLE mg_s (x INTEGER);\nROLLBACK TO SAVEPOINT s1;\nROLLBACK TRANSACTION TO s1;\nRELEASE SAVEPOINT s1;\n" +
		"CREATE TRIGGER mg_s_tr AFTER INSERT ON mg_s BEGIN\n  UPDATE mg_s SET x = 1;\nEND;"
	src := mustSource(t, files(map[string]string{"1_s.sql": sqlFile(up, "DROP TABLE mg_s;")}))
	if n := len(src.Find(1).UpSQL); n != 6 {
		t.Fatalf("%d statements, want 6", n)
	}
}
