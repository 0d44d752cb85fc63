package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/migrate"
)

var twoSteps = map[string]string{
	"1_people.sql": sqlFile("CREATE TABLE mg_people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
		"DROP TABLE mg_people;"),
	"2_email.sql": sqlFile("ALTER TABLE mg_people ADD COLUMN email TEXT;\nCREATE INDEX mg_people_email ON mg_people (email);",
		"DROP INDEX mg_people_email;\nALTER TABLE mg_people DROP COLUMN email;"),
}

func TestUpDownStatus(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		m := mustMigrator(t, db, mustSource(t, files(twoSteps)))
		if res := mustUp(t, m); len(res) != 2 || res[1].Migration.Source != "2_email.sql" {
			t.Fatalf("Up applied %+v", res)
		}
		if !hasColumn(db, "mg_people", "email") || current(t, m) != 2 {
			t.Fatal("schema or version not at 2 after Up")
		}
		if res := mustUp(t, m); len(res) != 0 {
			t.Fatalf("second Up applied %d migrations", len(res))
		}
		st, err := m.Status(ctx)
		if err != nil || len(st) != 2 || !st[0].Applied || !st[1].Applied || st[1].AppliedAt.IsZero() {
			t.Fatalf("Status = %+v, %v", st, err)
		}
		if res, err := m.Down(ctx); err != nil || len(res) != 1 || res[0].Migration.Version != 2 {
			t.Fatalf("Down = %+v, %v", res, err)
		}
		if hasColumn(db, "mg_people", "email") || current(t, m) != 1 {
			t.Fatal("Down did not revert version 2")
		}
		if _, err := m.DownTo(ctx, 0); err != nil || hasTable(db, "mg_people") || current(t, m) != 0 {
			t.Fatalf("DownTo(0) = %v; table left: %v", err, hasTable(db, "mg_people"))
		}
		if res, err := m.UpTo(ctx, 1); err != nil || len(res) != 1 || current(t, m) != 1 {
			t.Fatalf("UpTo(1) = %+v, %v", res, err)
		}
	})
}

func TestRedoRevertsAndReappliesTheLatest(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		m := mustMigrator(t, db, mustSource(t, files(twoSteps)))
		mustUp(t, m)
		db.Exec("INSERT INTO mg_people (id, name, email) VALUES (1, 'ada', 'a@x')")
		res, err := m.Redo(context.Background())
		if err != nil || len(res) != 2 || res[0].Direction != "down" || res[1].Direction != "up" {
			t.Fatalf("Redo = %+v, %v", res, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM mg_people WHERE email IS NULL AND name = 'ada'"); n != 1 {
			t.Fatalf("after redo the row's email should be gone (column dropped and re-added); rows = %d", n)
		}
	})
}

func TestUnknownTargetsAreRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		m := mustMigrator(t, db, mustSource(t, files(twoSteps)))
		if _, err := m.UpTo(ctx, 3); !errors.Is(err, migrate.ErrUnknownVersion) || !strings.Contains(err.Error(), "1, 2") {
			t.Fatalf("UpTo(3) = %v", err)
		}
		if err := m.Stamp(ctx, 7); !errors.Is(err, migrate.ErrUnknownVersion) {
			t.Fatalf("Stamp(7) = %v", err)
		}
		if hasTable(db, "mg_people") {
			t.Fatal("applied after a refused target")
		}
	})
}

func TestIrreversibleMigrationStopsDown(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		src := mustSource(t, files(map[string]string{"1_a.sql": "-- migrate:up\n" + createA + ";\n-- migrate:down\n"}))
		m := mustMigrator(t, db, src)
		mustUp(t, m)
		_, err := m.Down(context.Background())
		if !errors.Is(err, migrate.ErrIrreversible) || !strings.Contains(err.Error(), "1_a.sql") {
			t.Fatalf("Down = %v, want ErrIrreversible naming 1_a.sql", err)
		}
		if !hasTable(db, "mg_a") || current(t, m) != 1 {
			t.Fatal("irreversible migration was changed")
		}
	})
}

func TestFailingStatementLeavesSchemaAndVersion(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		broken := map[string]string{
			"1_people.sql": twoSteps["1_people.sql"],
			"2_bad.sql": sqlFile("CREATE TABLE mg_pets (id INTEGER PRIMARY KEY);\nALTER TABLE mg_nowhere ADD COLUMN x TEXT;",
				"DROP TABLE mg_pets;"),
		}
		m := mustMigrator(t, db, mustSource(t, files(broken)))
		res, err := m.Up(ctx)
		var me *migrate.MigrationError
		if !errors.As(err, &me) || !errors.Is(err, migrate.ErrMigrationFailed) {
			t.Fatalf("Up = %v, want a *MigrationError", err)
		}
		if me.Source != "2_bad.sql" || me.Index != 2 || me.Line != 3 || !strings.Contains(me.Statement, "mg_nowhere") {
			t.Fatalf("error names %s statement %d line %d %q", me.Source, me.Index, me.Line, me.Statement)
		}
		for _, s := range []string{"2_bad.sql", "statement 2", "line 3", "mg_nowhere"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("message %q lacks %q", err, s)
			}
		}
		if len(res) != 1 || current(t, m) != 1 {
			t.Fatalf("applied %d, current %d; want the first one only", len(res), current(t, m))
		}
		if hasTable(db, "mg_pets") {
			t.Fatal("the failing migration's first statement was kept")
		}
		broken["2_bad.sql"] = sqlFile("CREATE TABLE mg_pets (id INTEGER PRIMARY KEY);\nALTER TABLE mg_people ADD COLUMN x TEXT;", "DROP TABLE mg_pets;")
		m = mustMigrator(t, db, mustSource(t, files(broken)))
		if res := mustUp(t, m); len(res) != 1 || !hasTable(db, "mg_pets") || current(t, m) != 2 {
			t.Fatalf("Up after the fix applied %d", len(res))
		}
	})
}

func TestEditedAppliedFileIsRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		fsys := map[string]string{"1_people.sql": twoSteps["1_people.sql"]}
		mustUp(t, mustMigrator(t, db, mustSource(t, files(fsys))))
		fsys["1_people.sql"] = strings.Replace(fsys["1_people.sql"], "name TEXT", "nick TEXT", 1)
		fsys["2_email.sql"] = twoSteps["2_email.sql"]
		m := mustMigrator(t, db, mustSource(t, files(fsys)))
		_, err := m.Up(ctx)
		var ce *migrate.ChecksumError
		if !errors.As(err, &ce) || !errors.Is(err, migrate.ErrChecksumMismatch) || ce.Source != "1_people.sql" || !strings.Contains(err.Error(), "1_people.sql") {
			t.Fatalf("Up = %v, want a ChecksumError naming 1_people.sql", err)
		}
		if hasColumn(db, "mg_people", "email") {
			t.Fatal("Up ran despite the edited file")
		}
		if err := m.Verify(ctx); !errors.Is(err, migrate.ErrChecksumMismatch) {
			t.Fatalf("Verify = %v, want ErrChecksumMismatch", err)
		}
		if st, _ := m.Status(ctx); !st[0].Edited || st[1].Edited {
			t.Fatalf("Status = %+v, want the first marked edited", st)
		}
		if _, err := m.Down(ctx); !errors.Is(err, migrate.ErrChecksumMismatch) {
			t.Fatalf("Down = %v, want ErrChecksumMismatch", err)
		}
		changed, err := m.Rehash(ctx)
		if err != nil || len(changed) != 1 || changed[0] != 1 {
			t.Fatalf("Rehash = %v, %v", changed, err)
		}
		if err := m.Verify(ctx); err != nil {
			t.Fatalf("Verify after rehash = %v", err)
		}
		if res := mustUp(t, m); len(res) != 1 {
			t.Fatalf("Up after rehash applied %d", len(res))
		}
	})
}

func TestMissingFileOfAnAppliedVersionIsRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		mustUp(t, mustMigrator(t, db, mustSource(t, files(twoSteps))))
		m := mustMigrator(t, db, mustSource(t, files(map[string]string{"1_people.sql": twoSteps["1_people.sql"]})))
		if _, err := m.Up(context.Background()); !errors.Is(err, migrate.ErrUnknownVersion) || !strings.Contains(err.Error(), "version 2 (email)") {
			t.Fatalf("Up = %v", err)
		}
		if st, _ := m.Status(context.Background()); len(st) != 2 || !st[1].Missing {
			t.Fatalf("Status = %+v", st)
		}
	})
}

func TestStampLetsUpContinue(t *testing.T) {
	type mgPerson struct {
		ID   int64
		Name string `gorm:"not null"`
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		// A database made by AutoMigrate, before migrations existed.
		if err := db.Table("mg_people").AutoMigrate(&mgPerson{}); err != nil {
			t.Fatal(err)
		}
		m := mustMigrator(t, db, mustSource(t, files(twoSteps)))
		if _, err := m.Up(ctx); !errors.Is(err, migrate.ErrMigrationFailed) {
			t.Fatalf("Up without stamp = %v, want the CREATE TABLE to fail", err)
		}
		if err := m.Stamp(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if res := mustUp(t, m); len(res) != 1 || !hasColumn(db, "mg_people", "email") {
			t.Fatalf("Up after stamp applied %+v", res)
		}
		if err := m.Stamp(ctx, 0); err != nil || current(t, m) != 0 || !hasColumn(db, "mg_people", "email") {
			t.Fatalf("Stamp(0) = %v; it must forget versions without running anything", err)
		}
	})
}

func TestGoMigrationRunsInTheMigrationTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		fill := func(fail bool) migrate.GoMigration {
			return migrate.GoMigration{Version: 3, Name: "fill", Up: func(ctx context.Context, tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO mg_people (id, name) VALUES (1, 'ada'), (2, 'bob')").Error; err != nil {
					return err
				}
				if fail {
					return errors.New("half way")
				}
				return tx.Transaction(func(tx *gorm.DB) error { // a savepoint
					return tx.Exec("UPDATE mg_people SET email = name || '@x'").Error
				})
			}, Down: func(ctx context.Context, tx *gorm.DB) error {
				return tx.Exec("DELETE FROM mg_people").Error
			}}
		}
		m := mustMigrator(t, db, mustSource(t, files(twoSteps), fill(true)))
		if _, err := m.Up(ctx); !errors.Is(err, migrate.ErrMigrationFailed) || !strings.Contains(err.Error(), "go:3_fill") {
			t.Fatalf("Up = %v", err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM mg_people"); n != 0 || current(t, m) != 2 {
			t.Fatalf("failed Go migration left %d rows, version %d", n, current(t, m))
		}
		m = mustMigrator(t, db, mustSource(t, files(twoSteps), fill(false)))
		mustUp(t, m)
		if n := count(t, db, "SELECT COUNT(*) FROM mg_people WHERE email = 'ada@x'"); n != 1 {
			t.Fatalf("rows after Go migration: %d", n)
		}
		if _, err := m.Down(ctx); err != nil || count(t, db, "SELECT COUNT(*) FROM mg_people") != 0 {
			t.Fatalf("Down = %v", err)
		}
	})
}
