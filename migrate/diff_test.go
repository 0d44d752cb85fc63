package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/migrate"
)

// Version 1 of a schema.
type rtAuthorV1 struct {
	ID       int64
	Name     string `gorm:"size:100;not null"`
	Nickname string
	Score    int
}

func (rtAuthorV1) TableName() string { return "rt_authors" }

// Version 2: a column added with a unique index, an index added, a type
// changed, a column dropped, and a new table with a foreign key and a
// check constraint.
type rtAuthorV2 struct {
	ID    int64
	Name  string  `gorm:"size:100;not null;index"`
	Email *string `gorm:"size:200;uniqueIndex"`
	Score float64
	Books []rtBook `gorm:"foreignKey:AuthorID"`
}

func (rtAuthorV2) TableName() string { return "rt_authors" }

type rtBook struct {
	ID       int64
	AuthorID int64  `gorm:"not null;index"`
	Title    string `gorm:"not null;default:'untitled'"`
	Pages    int    `gorm:"check:pages_positive,pages > 0"`
}

func (rtBook) TableName() string { return "rt_books" }

var (
	modelsV1 = []any{&rtAuthorV1{}}
	modelsV2 = []any{&rtAuthorV2{}, &rtBook{}}
)

func diffFile(t *testing.T, db *gorm.DB, models []any, opts migrate.DiffOptions) []byte {
	t.Helper()
	p, err := migrate.Diff(context.Background(), db, models, opts)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	if p.Empty() {
		t.Fatal("Diff found nothing to change")
	}
	return p.File()
}

func assertNoDiff(t *testing.T, db *gorm.DB, models []any) {
	t.Helper()
	p, err := migrate.Diff(context.Background(), db, models, migrate.DiffOptions{AllowDestructive: true})
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	if !p.Empty() {
		t.Fatalf("schema differs from the models:\n%s", strings.Join(p.Up, ";\n"))
	}
}

func TestRoundTripV1V2V1(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		dir := fstest.MapFS{}
		dir["1_init.sql"] = &fstest.MapFile{Data: diffFile(t, db, modelsV1, migrate.DiffOptions{})}
		mustUp(t, mustMigrator(t, db, mustSource(t, dir)))
		assertNoDiff(t, db, modelsV1)
		if err := db.Exec("INSERT INTO rt_authors (id, name, nickname, score) VALUES (1, 'ada', 'countess', 5)").Error; err != nil {
			t.Fatal(err)
		}

		_, err := migrate.Diff(ctx, db, modelsV2, migrate.DiffOptions{})
		if !errors.Is(err, migrate.ErrDestructive) || !strings.Contains(err.Error(), "rt_authors.nickname") || !strings.Contains(err.Error(), "rt_authors.score") {
			t.Fatalf("Diff without AllowDestructive = %v", err)
		}
		v2 := diffFile(t, db, modelsV2, migrate.DiffOptions{AllowDestructive: true})
		t.Logf("2_v2.sql:\n%s", v2)
		if !strings.Contains(string(v2), "WARNING: destructive: drops column rt_authors.nickname") {
			t.Fatalf("no warning in\n%s", v2)
		}
		dir["2_v2.sql"] = &fstest.MapFile{Data: v2}
		m := mustMigrator(t, db, mustSource(t, dir))
		mustUp(t, m)
		assertNoDiff(t, db, modelsV2)
		if n := count(t, db, "SELECT COUNT(*) FROM rt_authors WHERE name = 'ada' AND score = 5"); n != 1 {
			t.Fatal("v1 data lost by the upgrade")
		}
		if err := db.Exec("INSERT INTO rt_books (author_id, title, pages) VALUES (9, 'x', 1)").Error; err == nil {
			t.Fatal("foreign key not enforced after the upgrade")
		}
		if err := db.Exec("INSERT INTO rt_books (author_id, title, pages) VALUES (1, 'x', 0)").Error; err == nil {
			t.Fatal("check constraint not enforced after the upgrade")
		}

		if _, err := m.Down(ctx); err != nil {
			t.Fatalf("Down: %v", err)
		}
		assertNoDiff(t, db, modelsV1)
		if n := count(t, db, "SELECT COUNT(*) FROM rt_authors WHERE name = 'ada' AND score = 5"); n != 1 {
			t.Fatal("untouched columns lost by the downgrade")
		}
	})
}

// Diff takes one connection from the pool: it works on a pool of one.
func TestDiffOnAPoolOfOne(t *testing.T) {
	one := testdb.WithConfig(func(c *database.Config) { c.PoolSize, c.MaxOverflow = 1, 0 })
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		p, err := migrate.Diff(ctx, db, modelsV1, migrate.DiffOptions{})
		if err != nil || len(p.Up) == 0 {
			t.Fatalf("Diff = %+v, %v", p, err)
		}
		if db.Migrator().HasTable("rt_authors") {
			t.Fatal("Diff changed the database")
		}
	}, one)
}

type exName struct {
	ID   int64
	Name string `gorm:"size:100"`
}

func (exName) TableName() string { return "ex_names" }

type exNameWider struct {
	ID   int64
	Name string `gorm:"size:300"`
}

func (exNameWider) TableName() string { return "ex_names" }

type exNameNarrower struct {
	ID   int64
	Name string `gorm:"size:50"`
}

func (exNameNarrower) TableName() string { return "ex_names" }

func TestDiffDropsUnmappedTablesOnlyWhenAllowed(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := db.Exec("CREATE TABLE ex_legacy (id INTEGER PRIMARY KEY)").Error; err != nil {
			t.Fatal(err)
		}
		_, err := migrate.Diff(ctx, db, []any{&exName{}}, migrate.DiffOptions{})
		if !errors.Is(err, migrate.ErrDestructive) || !strings.Contains(err.Error(), "drops table ex_legacy") {
			t.Fatalf("Diff = %v, want ErrDestructive naming ex_legacy", err)
		}
		p, err := migrate.Diff(ctx, db, []any{&exName{}}, migrate.DiffOptions{Exclude: []string{"ex_legacy"}})
		if err != nil || len(p.Destructive) != 0 || strings.Contains(strings.Join(p.Up, ";"), "ex_legacy") {
			t.Fatalf("Diff with Exclude = %+v, %v", p, err)
		}
	})
}

// A longer varchar keeps every value; a shorter one may not.
func TestDiffTellsWideningFromNarrowing(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("SQLite stores every string as text: no width to change")
	}
	ctx := context.Background()
	db := testdb.Open(t, testdb.Postgres)
	if err := db.AutoMigrate(&exName{}); err != nil {
		t.Fatal(err)
	}
	p, err := migrate.Diff(ctx, db, []any{&exNameWider{}}, migrate.DiffOptions{})
	if err != nil || len(p.Up) != 1 || len(p.Destructive) != 0 {
		t.Fatalf("widening: %+v, %v", p, err)
	}
	_, err = migrate.Diff(ctx, db, []any{&exNameNarrower{}}, migrate.DiffOptions{})
	if !errors.Is(err, migrate.ErrDestructive) || !strings.Contains(err.Error(), "ex_names.name") {
		t.Fatalf("narrowing: %v", err)
	}
}

type npThing struct {
	ID    int64
	Name  string
	Parts []npPart `gorm:"foreignKey:ThingID"`
}

type npPart struct {
	ID      int64
	ThingID int64
}

// The scratch database makes tables as db does: a naming strategy with a
// prefix, or foreign keys turned off, yield no spurious change.
func TestDiffFollowsTheNamingStrategy(t *testing.T) {
	prefixed := testdb.WithConfig(func(c *database.Config) {
		c.GORM = func(g *gorm.Config) {
			g.NamingStrategy = schema.NamingStrategy{TablePrefix: "np_", SingularTable: true}
			g.DisableForeignKeyConstraintWhenMigrating = true
		}
	})
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&npThing{}, &npPart{}); err != nil {
			t.Fatal(err)
		}
		if !db.Migrator().HasTable("np_np_thing") || db.Migrator().HasConstraint(&npThing{}, "Parts") {
			t.Fatal("the naming strategy or the foreign-key setting was not applied")
		}
		assertNoDiff(t, db, []any{&npThing{}, &npPart{}})
	}, prefixed)
}
