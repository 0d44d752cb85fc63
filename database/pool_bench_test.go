package database

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

type benchRow struct {
	ID   int64
	Name string
	N    int
}

// openBench opens an in-memory SQLite database configured as Open does,
// with GORM talking to the *sql.DB directly (bounded=false, the baseline)
// or through the pool that bounds the wait (bounded=true).
func openBench(b testing.TB, url string, bounded bool) *gorm.DB {
	b.Helper()
	cfg := Config{URL: url}.withDefaults()
	t, err := parseURL(cfg.URL)
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, dial, err := openSQL(t, cfg)
	if err != nil {
		b.Fatal(err)
	}
	configurePool(sqlDB, t, cfg)
	var conns gorm.ConnPool = sqlDB
	if bounded {
		conns = &pool{db: sqlDB, timeout: cfg.PoolTimeout}
	}
	gcfg := gormConfig(cfg)
	gcfg.Logger = logger.Discard
	db, err := gorm.Open(translator{dial(conns)}, gcfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sqlDB.Close() })
	// A table of its own, so that runs on a shared PostgreSQL never meet.
	table := fmt.Sprintf("bench_rows_%d_%d", os.Getpid(), benchTables.Add(1))
	if err := db.Table(table).AutoMigrate(&benchRow{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Migrator().DropTable(table) })
	db = db.Table(table).Session(&gorm.Session{})
	if err := db.Create(&benchRow{Name: "a", N: 1}).Error; err != nil {
		b.Fatal(err)
	}
	return db
}

var benchTables atomic.Int64

// benchURLs are the databases benchmarked: in-memory SQLite, and
// PostgreSQL when GORMEXT_TEST_POSTGRES_DSN is set.
func benchURLs() map[string]string {
	urls := map[string]string{"sqlite": memoryURL}
	if dsn := strings.TrimSpace(os.Getenv("GORMEXT_TEST_POSTGRES_DSN")); dsn != "" {
		urls["postgres"] = dsn
	}
	return urls
}

func benchPool(b *testing.B, run func(b *testing.B, db *gorm.DB)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		url, ok := benchURLs()[kind]
		if !ok {
			continue
		}
		for _, c := range []struct {
			name    string
			bounded bool
		}{{"sqldb", false}, {"bounded", true}} {
			b.Run("db="+kind+"/pool="+c.name, func(b *testing.B) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				db := openBench(b, url, c.bounded).WithContext(ctx)
				b.ReportAllocs()
				b.ResetTimer()
				run(b, db)
				if s, _ := db.DB(); testing.Verbose() {
					st := s.Stats()
					b.Logf("open=%d idle=%d wait=%d maxIdleClosed=%d", st.OpenConnections, st.Idle, st.WaitCount, st.MaxIdleClosed)
				}
			})
		}
	}
}

func BenchmarkPoolFirst(b *testing.B) {
	benchPool(b, func(b *testing.B, db *gorm.DB) {
		for b.Loop() {
			var r benchRow
			if err := db.First(&r, 1).Error; err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPoolExec(b *testing.B) {
	benchPool(b, func(b *testing.B, db *gorm.DB) {
		for b.Loop() {
			if err := db.Exec("UPDATE " + db.Statement.Table + " SET n = n + 1 WHERE id = 1").Error; err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPoolTransaction(b *testing.B) {
	benchPool(b, func(b *testing.B, db *gorm.DB) {
		for b.Loop() {
			err := db.Transaction(func(tx *gorm.DB) error {
				return tx.Model(&benchRow{}).Where("id = ?", 1).Update("n", 2).Error
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPoolCreate(b *testing.B) {
	benchPool(b, func(b *testing.B, db *gorm.DB) {
		for b.Loop() {
			if err := db.Create(&benchRow{Name: "b", N: 2}).Error; err != nil {
				b.Fatal(err)
			}
		}
	})
}
