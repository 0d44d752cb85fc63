package hooks_test

import (
	"testing"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
)

// benchConfigs are the GORM configurations the create benchmarks are also
// measured under, each side (plain GORM and the plugin) with the same one.
var benchConfigs = []struct {
	name string
	cfg  gorm.Config
}{
	{"skip-tx", gorm.Config{SkipDefaultTransaction: true}},
	{"prepare-stmt", gorm.Config{PrepareStmt: true}},
}

// benchConfigDB opens in-memory SQLite with GORM alone and cfg, then
// registers the plugin when opts is not nil.
func benchConfigDB(b *testing.B, cfg gorm.Config, opts []hooks.Option) *gorm.DB {
	b.Helper()
	cfg.Logger = logger.Discard
	_, dsn := testdb.Raw(b, testdb.SQLite)
	db, err := gorm.Open(sqlite.Open(dsn), &cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	if opts != nil {
		if err := db.Use(hooks.New(opts...)); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.AutoMigrate(&Post{}); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkPairedCreateConfig is BenchmarkPairedCreate under each of
// benchConfigs.
func BenchmarkPairedCreateConfig(b *testing.B) {
	for _, c := range benchConfigs {
		b.Run("config="+c.name, func(b *testing.B) {
			sides := []*side{
				{name: "plain", db: benchConfigDB(b, c.cfg, nil), byHand: true},
				{name: "hooks", db: benchConfigDB(b, c.cfg, []hooks.Option{})},
				{name: "novalidate", db: benchConfigDB(b, c.cfg, []hooks.Option{hooks.WithoutValidation()})},
			}
			paired(b, sides, func(s *side) {
				p := newPost()
				if s.byHand {
					byHand(&p.Entity)
				}
				if err := s.db.Create(&p).Error; err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkPairedCreateInBatchesConfig is BenchmarkPairedCreateInBatches
// under each of benchConfigs.
func BenchmarkPairedCreateInBatchesConfig(b *testing.B) {
	for _, c := range benchConfigs {
		b.Run("config="+c.name, func(b *testing.B) {
			sides := []*side{
				{name: "plain", db: benchConfigDB(b, c.cfg, nil), byHand: true},
				{name: "hooks", db: benchConfigDB(b, c.cfg, []hooks.Option{})},
			}
			rows := make([]Post, 1000)
			paired(b, sides, func(s *side) {
				for i := range rows {
					rows[i] = newPost()
					if s.byHand {
						byHand(&rows[i].Entity)
					}
				}
				if err := s.db.CreateInBatches(&rows, 100).Error; err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
