package database_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

type ctxKey struct{}

// TestWritesWithoutDefaultTransaction: with default transactions off (in
// Config.GORM or in a session), GORM leaves out the transaction its write
// callbacks are anchored around. Every write still gives its connection
// back at once, leaves the statement's context as the caller gave it, and
// a plugin's own transaction begun inside the statement is not taken for
// GORM's.
func TestWritesWithoutDefaultTransaction(t *testing.T) {
	levels := map[string]struct {
		opt     testdb.Option
		session bool
	}{
		"config":  {opt: testdb.WithConfig(func(c *database.Config) { c.GORM = func(g *gorm.Config) { g.SkipDefaultTransaction = true } })},
		"session": {opt: testdb.WithConfig(func(*database.Config) {}), session: true},
	}
	for name, level := range levels {
		t.Run(name, func(t *testing.T) {
			testdb.Run(t, func(t *testing.T, db *gorm.DB) {
				if err := db.AutoMigrate(&counter{}); err != nil {
					t.Fatal(err)
				}
				assertIdle(t, db)
				ctx := context.WithValue(context.Background(), ctxKey{}, name)
				tx := db.WithContext(ctx)
				if level.session {
					tx = tx.Session(&gorm.Session{SkipDefaultTransaction: true})
				} else if !db.SkipDefaultTransaction {
					t.Fatal("Config.GORM was not applied")
				}
				c := counter{N: 1}
				steps := map[string]func() *gorm.DB{
					"Create": func() *gorm.DB { return tx.Create(&c) },
					"Update": func() *gorm.DB { return tx.Model(&c).Update("n", 2) },
					"Delete": func() *gorm.DB { return tx.Delete(&c) },
				}
				for _, step := range []string{"Create", "Update", "Delete"} {
					res := steps[step]()
					if res.Error != nil {
						t.Fatalf("%s: %v", step, res.Error)
					}
					if res.Statement.Context != ctx {
						t.Fatalf("%s left a context of its own on the statement", step)
					}
					if n := inUse(t, db); n != 0 {
						t.Fatalf("after %s: %d connections in use, want 0 at once", step, n)
					}
				}
				// A plugin's own transaction, begun with the statement's
				// context inside a write, stays the plugin's.
				var foreign *gorm.DB
				err := db.Callback().Create().Before("gorm:create").Register("test:begin", func(s *gorm.DB) {
					if foreign == nil && s.Statement.Table == "counters" {
						foreign = db.WithContext(s.Statement.Context).Begin()
					}
				})
				if err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- tx.Create(&counter{N: 3}).Error }()
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
				case <-time.After(20 * time.Second):
					t.Fatal("the statement waited for a transaction it did not begin")
				}
				if foreign == nil || foreign.Error != nil {
					t.Fatalf("the plugin's transaction did not begin: %v", foreign)
				}
				if err := foreign.Commit().Error; err != nil {
					t.Fatal(err)
				}
				assertIdle(t, db)
			}, level.opt)
		})
	}
}

// TestConfigGORMAdjustsTheGORMConfig: Config.GORM reaches gorm.Open, and
// Open's own settings and callbacks stay in place.
func TestConfigGORMAdjustsTheGORMConfig(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if !db.PrepareStmt || db.CreateBatchSize != 7 || !db.TranslateError {
			t.Fatalf("PrepareStmt %v, CreateBatchSize %d, TranslateError %v; want true, 7, true",
				db.PrepareStmt, db.CreateBatchSize, db.TranslateError)
		}
		if err := db.AutoMigrate(&counter{}); err != nil {
			t.Fatal(err)
		}
		if !db.Migrator().HasTable("app_counter") {
			t.Fatal("the naming strategy was not applied: no table app_counter")
		}
		for i := range 3 {
			if err := db.Create(&counter{N: i}).Error; err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM app_counter").Scan(&n).Error; err != nil || n != 3 {
			t.Fatalf("rows = %d, %v; want 3", n, err)
		}
		assertIdle(t, db)
	}, testdb.WithConfig(func(c *database.Config) {
		c.GORM = func(g *gorm.Config) {
			g.PrepareStmt = true
			g.CreateBatchSize = 7
			g.NamingStrategy = schema.NamingStrategy{TablePrefix: "app_", SingularTable: true}
		}
	}))
}
