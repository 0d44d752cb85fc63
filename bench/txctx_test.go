package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	trmpgx "github.com/avito-tech/go-transaction-manager/drivers/pgxv5/v2"
	"github.com/avito-tech/go-transaction-manager/trm/v2/manager"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/txctx"
)

// The overhead of a transaction manager is measured against its own
// baseline in the same run, on the same PostgreSQL, with the same
// statements: txctx over GORM's Transaction, trm (go-transaction-manager
// with its pgxv5 driver; its GORM driver is not published) over a plain pgx
// transaction. Each pair runs one INSERT in a transaction, then the same
// inside a nested transaction (a savepoint).

const envDSN = "GORMEXT_TEST_POSTGRES_DSN"

type fixture struct {
	gorm   *gorm.DB
	pool   *pgxpool.Pool
	insert string // INSERT with one $1 parameter
	gormIn string // the same with GORM's ? placeholder
}

func setup(b *testing.B) *fixture {
	b.Helper()
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		b.Skip(envDSN + " not set")
	}
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: dsn})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	table := "bench_tx_" + hex.EncodeToString(buf)
	if _, err := pool.Exec(ctx, "CREATE TABLE "+table+" (id bigserial PRIMARY KEY, name text)"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_, _ = pool.Exec(ctx, "DROP TABLE "+table)
		pool.Close()
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	return &fixture{
		gorm:   db,
		pool:   pool,
		insert: "INSERT INTO " + table + " (name) VALUES ($1)",
		gormIn: "INSERT INTO " + table + " (name) VALUES (?)",
	}
}

func check(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkInsert_GORM(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		check(b, f.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Exec(f.gormIn, "x").Error
		}))
	}
}

func BenchmarkInsert_Txctx(b *testing.B) {
	f := setup(b)
	ctx := txctx.WithDB(context.Background(), f.gorm)
	b.ReportAllocs()
	for b.Loop() {
		check(b, txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.DB(ctx).Exec(f.gormIn, "x").Error
		}))
	}
}

func BenchmarkInsert_Pgx(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		check(b, pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, f.insert, "x")
			return err
		}))
	}
}

func BenchmarkInsert_Trm(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	trm := manager.Must(trmpgx.NewDefaultFactory(f.pool))
	getter := trmpgx.DefaultCtxGetter
	b.ReportAllocs()
	for b.Loop() {
		check(b, trm.Do(ctx, func(ctx context.Context) error {
			_, err := getter.DefaultTrOrDB(ctx, f.pool).Exec(ctx, f.insert, "x")
			return err
		}))
	}
}

func BenchmarkNested_GORM(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		check(b, f.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Transaction(func(tx *gorm.DB) error {
				return tx.Exec(f.gormIn, "x").Error
			})
		}))
	}
}

func BenchmarkNested_Txctx(b *testing.B) {
	f := setup(b)
	ctx := txctx.WithDB(context.Background(), f.gorm)
	b.ReportAllocs()
	for b.Loop() {
		check(b, txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.Run(ctx, func(ctx context.Context) error {
				return txctx.DB(ctx).Exec(f.gormIn, "x").Error
			})
		}))
	}
}

func BenchmarkNested_Pgx(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		check(b, pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
			return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
				_, err := sp.Exec(ctx, f.insert, "x")
				return err
			})
		}))
	}
}

func BenchmarkNested_Trm(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	trm := manager.Must(trmpgx.NewDefaultFactory(f.pool))
	getter := trmpgx.DefaultCtxGetter
	b.ReportAllocs()
	for b.Loop() {
		check(b, trm.Do(ctx, func(ctx context.Context) error {
			return trm.Do(ctx, func(ctx context.Context) error {
				_, err := getter.DefaultTrOrDB(ctx, f.pool).Exec(ctx, f.insert, "x")
				return err
			})
		}))
	}
}
