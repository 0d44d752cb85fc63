package migratetest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/migrate"
	"github.com/gormext/gormext/migrate/migratetest"
)

type mtWidget struct {
	ID   int64
	Name string `gorm:"not null"`
}

func (mtWidget) TableName() string { return "mt_widgets" }

type mtWidgetPlus struct {
	ID    int64
	Name  string `gorm:"not null"`
	Color string
}

func (mtWidgetPlus) TableName() string { return "mt_widgets" }

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(r)
}

// run calls fn with a recorder and returns what it recorded.
func run(t *testing.T, fn func(tb testing.TB)) string {
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != r {
				panic(p)
			}
		}()
		fn(r)
	}()
	return strings.Join(r.failed, "\n")
}

func load(t *testing.T, files map[string][]byte) *migrate.Source {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: body}
	}
	src, err := migrate.Load(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// generated is the migration for mtWidget on kind, written by Diff.
func generated(t *testing.T, kind testdb.Kind) []byte {
	t.Helper()
	p, err := migrate.Diff(context.Background(), testdb.Open(t, kind), []any{&mtWidget{}}, migrate.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p.File()
}

func TestAssertUpToDate(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			src := load(t, map[string][]byte{"1_widgets.sql": generated(t, kind)})
			if got := run(t, func(tb testing.TB) { migratetest.AssertUpToDate(tb, testdb.Open(t, kind), src, &mtWidget{}) }); got != "" {
				t.Fatalf("AssertUpToDate failed on matching models: %s", got)
			}
			got := run(t, func(tb testing.TB) { migratetest.AssertUpToDate(tb, testdb.Open(t, kind), src, &mtWidgetPlus{}) })
			if !strings.Contains(got, "color") || !strings.Contains(got, "new migration") {
				t.Fatalf("AssertUpToDate with a field no migration adds reported %q", got)
			}
		})
	}
}

func TestApplyFailsOnABrokenMigration(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		src := load(t, map[string][]byte{"1_bad.sql": []byte("-- migrate:up\nCREATE TABLE mt_x (id INTEGER);\nCREATE TABLE mt_x (id INTEGER);\n-- migrate:down\n")})
		got := run(t, func(tb testing.TB) { migratetest.Apply(tb, db, src) })
		if !strings.Contains(got, "1_bad.sql") || !strings.Contains(got, "statement 2") {
			t.Fatalf("Apply reported %q", got)
		}
		if db.Migrator().HasTable("mt_x") {
			t.Fatal("the failing migration was kept")
		}
	})
}
