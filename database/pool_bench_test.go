package database

import (
	"context"
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
func openBench(b *testing.B, bounded bool) *gorm.DB {
	b.Helper()
	cfg := Config{URL: memoryURL}.withDefaults()
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
	if err := db.AutoMigrate(&benchRow{}); err != nil {
		b.Fatal(err)
	}
	if err := db.Create(&benchRow{Name: "a", N: 1}).Error; err != nil {
		b.Fatal(err)
	}
	return db
}

func benchPool(b *testing.B, run func(b *testing.B, db *gorm.DB)) {
	for _, c := range []struct {
		name    string
		bounded bool
	}{{"sqldb", false}, {"bounded", true}} {
		b.Run(c.name, func(b *testing.B) {
			db := openBench(b, c.bounded).WithContext(context.Background())
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
			if err := db.Exec("UPDATE bench_rows SET n = n + 1 WHERE id = 1").Error; err != nil {
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
