package txtest_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.uber.org/goleak"
	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type note struct {
	ID   uint `gorm:"primaryKey"`
	Text string
}

var errBoom = errors.New("boom")

// createNote is code under test: it uses txctx as production code does.
func createNote(ctx context.Context, text string, published *[]string) error {
	return txctx.Run(ctx, func(ctx context.Context) error {
		if err := txctx.DB(ctx).Create(&note{Text: text}).Error; err != nil {
			return err
		}
		txctx.AfterCommit(ctx, func(context.Context) { *published = append(*published, text) })
		if text == "bad" {
			return errBoom
		}
		return nil
	})
}

func count(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&note{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTestTransactionIsRolledBack(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&note{}); err != nil {
			t.Fatal(err)
		}
		var published []string
		txtest.Run(t, db, func(ctx context.Context) {
			if err := createNote(ctx, "good", &published); err != nil {
				t.Fatal(err)
			}
			if err := createNote(ctx, "bad", &published); !errors.Is(err, errBoom) {
				t.Fatalf("err = %v", err)
			}
			var n int64
			txctx.DB(ctx).Model(&note{}).Count(&n)
			if n != 1 {
				t.Errorf("rows inside the test = %d, want 1 (the failed Run rolled back to its savepoint)", n)
			}
			if len(published) != 1 || published[0] != "good" {
				t.Errorf("AfterCommit callbacks ran for %q, want [good]", published)
			}
		})
		if n := count(t, db); n != 0 {
			t.Fatalf("rows after the test = %d, want 0", n)
		}
	})
}

// Two tests' rows never meet: on PostgreSQL they run at the same time, each
// inside its own transaction, on one database.
func TestTwoTestsDoNotSeeEachOther(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("SQLite allows one writing transaction at a time; see TestSequentialTestsDoNotSeeEachOther")
	}
	db := testdb.Open(t, testdb.Postgres)
	if err := db.AutoMigrate(&note{}); err != nil {
		t.Fatal(err)
	}
	var wrote sync.WaitGroup
	wrote.Add(2)
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var published []string
			ctx := txtest.Context(t, db)
			if err := createNote(ctx, name, &published); err != nil {
				t.Fatal(err)
			}
			wrote.Done()
			wrote.Wait() // both have written, neither has ended
			var texts []string
			txctx.DB(ctx).Model(&note{}).Pluck("text", &texts)
			if len(texts) != 1 || texts[0] != name {
				t.Errorf("test %s sees %q, want only its own row", name, texts)
			}
		})
	}
	t.Cleanup(func() {
		if n := count(t, db); n != 0 {
			t.Errorf("rows after both tests = %d, want 0", n)
		}
	})
}

func TestSequentialTestsDoNotSeeEachOther(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&note{}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"first", "second"} {
			t.Run(name, func(t *testing.T) {
				ctx := txtest.Context(t, db)
				var published []string
				var n int64
				txctx.DB(ctx).Model(&note{}).Count(&n)
				if n != 0 {
					t.Errorf("test %s starts with %d rows of an earlier test", name, n)
				}
				if err := createNote(ctx, name, &published); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}
