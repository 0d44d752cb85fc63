package database_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/benchkit"
	"github.com/gormext/gormext/txctx"
)

// stackRow is an entity, so both contenders run the hooks plugin's work.
type stackRow struct {
	entities.IdentifiableEntity
	entities.DatedEntity
	Name string
	N    int
}

var stackTables atomic.Int64

// BenchmarkStack times the whole stack a service gets from database.Open
// (pool with its bounded wait, hooks plugin, logger, error translation)
// against GORM opened with gorm.Open on the same kind of database, with
// the same plugin and the same pool limits, interleaved in one process on
// one locked thread. For each operation it reports "<op>/gorm", the ratio
// of gormext's wall time to GORM's, and "<op>-cpu/gorm", the ratio of the
// thread's CPU time (the client's work, and SQLite's, which runs in
// process; it does not count time spent waiting for a core or for the
// PostgreSQL server).
func BenchmarkStack(b *testing.B) {
	for kind, dsn := range stackKinds() {
		b.Run("db="+kind, func(b *testing.B) {
			ctx := context.Background()
			dbs := [2]*gorm.DB{stackTable(b, openStackGORM(b, kind, dsn)), stackTable(b, openStackGormext(b, kind, dsn))}
			wall, cpu := benchkit.Rotate(b, 2*len(stackOps), func(j int) {
				if err := stackOps[j/2].op(ctx, dbs[j%2]); err != nil {
					b.Fatal(err)
				}
			})
			for k, o := range stackOps {
				base, cand := 2*k, 2*k+1
				b.ReportMetric(float64(wall[cand])/float64(b.N), o.name+"-ns/op")
				b.ReportMetric(float64(wall[cand])/float64(wall[base]), o.name+"/gorm")
				if cpu[base] > 0 {
					b.ReportMetric(float64(cpu[cand])/float64(cpu[base]), o.name+"-cpu/gorm")
				}
			}
		})
	}
}

// stackOps are the operations the stack benchmarks time.
var stackOps = []struct {
	name string
	op   func(context.Context, *gorm.DB) error
}{{"First", stackFirst}, {"Create", stackCreate}, {"RunInsert", stackRunInsert}}

// stackKinds are the databases benchmarked: SQLite, and PostgreSQL (with
// its DSN) when GORMEXT_TEST_POSTGRES_DSN is set.
func stackKinds() map[string]string {
	kinds := map[string]string{"sqlite": ""}
	if dsn := strings.TrimSpace(os.Getenv("GORMEXT_TEST_POSTGRES_DSN")); dsn != "" {
		kinds["postgres"] = dsn
	}
	return kinds
}

func stackFirst(ctx context.Context, db *gorm.DB) error {
	var r stackRow
	return db.WithContext(ctx).First(&r, "n = ?", 1).Error
}

func stackCreate(ctx context.Context, db *gorm.DB) error {
	return db.WithContext(ctx).Create(&stackRow{Name: "b", N: 2}).Error
}

func stackRunInsert(ctx context.Context, db *gorm.DB) error {
	return txctx.Run(txctx.WithDB(ctx, db), func(ctx context.Context) error {
		return txctx.DB(ctx).Table(db.Statement.Table).Create(&stackRow{Name: "c", N: 3}).Error
	})
}

// openStackGormext is database.Open with its defaults, logging discarded
// below warnings as a service's would be.
func openStackGormext(b *testing.B, kind, dsn string) *gorm.DB {
	url := "sqlite::memory:"
	if kind == "postgres" {
		url = dsn
	}
	db, err := database.Open(context.Background(), database.Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { closeStack(db) })
	return db
}

// openStackGORM is what a service writes without gormext: gorm.Open with
// the driver's own DSN, GORM's default configuration and logger, the hooks
// plugin, and database.Open's pool limits.
func openStackGORM(b *testing.B, kind, dsn string) *gorm.DB {
	var dial gorm.Dialector
	if kind == "postgres" {
		dial = postgres.Open(dsn)
	} else {
		name := fmt.Sprintf("/gorm-stack-%d-%d", os.Getpid(), stackTables.Add(1))
		dial = sqlite.Open("file:" + name + "?vfs=memdb&_foreign_keys=1&_busy_timeout=5000&_txlock=deferred")
	}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Default.LogMode(logger.Warn)})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Use(hooks.New()); err != nil {
		b.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		b.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(database.DefaultPoolSize + database.DefaultMaxOverflow)
	sqlDB.SetMaxIdleConns(database.DefaultPoolSize)
	b.Cleanup(func() { closeStack(db) })
	return db
}

// stackTable gives db a table of its own, with one row to read.
func stackTable(b *testing.B, db *gorm.DB) *gorm.DB {
	table := fmt.Sprintf("stack_rows_%d_%d", os.Getpid(), stackTables.Add(1))
	if err := db.Table(table).AutoMigrate(&stackRow{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Migrator().DropTable(table) })
	db = db.Table(table).Session(&gorm.Session{})
	if err := db.Create(&stackRow{Name: "a", N: 1}).Error; err != nil {
		b.Fatal(err)
	}
	return db
}

func closeStack(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}

// BenchmarkStackOps runs the operations of BenchmarkStack one contender at
// a time, for their allocations (compare with benchstat -col /stack; their
// times are less reliable than BenchmarkStack's interleaved ratios).
func BenchmarkStackOps(b *testing.B) {
	for kind, dsn := range stackKinds() {
		dbs := map[string]func(*testing.B) *gorm.DB{
			"gorm":    func(b *testing.B) *gorm.DB { return stackTable(b, openStackGORM(b, kind, dsn)) },
			"gormext": func(b *testing.B) *gorm.DB { return stackTable(b, openStackGormext(b, kind, dsn)) },
		}
		for _, o := range stackOps {
			for _, stack := range []string{"gorm", "gormext"} {
				b.Run("db="+kind+"/op="+o.name+"/stack="+stack, func(b *testing.B) {
					db := dbs[stack](b)
					ctx := context.Background()
					benchkit.Loop(b, func() error { return o.op(ctx, db) })
				})
			}
		}
	}
}
