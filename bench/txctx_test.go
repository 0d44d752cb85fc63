package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	trmpgx "github.com/avito-tech/go-transaction-manager/drivers/pgxv5/v2"
	"github.com/avito-tech/go-transaction-manager/trm/v2"
	"github.com/avito-tech/go-transaction-manager/trm/v2/manager"
	trmsettings "github.com/avito-tech/go-transaction-manager/trm/v2/settings"
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
	// Commits do not wait for the disk: its latency would drown the
	// libraries' overhead in noise. Both sides get the same setting.
	dsn = withParam(dsn, "synchronous_commit", "off")
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

func BenchmarkInsert_GORM(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	loop(b, func() error {
		return f.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Exec(f.gormIn, "x").Error
		})
	})
}

func BenchmarkInsert_Txctx(b *testing.B) {
	f := setup(b)
	ctx := txctx.WithDB(context.Background(), f.gorm)
	loop(b, func() error {
		return txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.DB(ctx).Exec(f.gormIn, "x").Error
		})
	})
}

func BenchmarkInsert_Pgx(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	loop(b, func() error {
		return pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, f.insert, "x")
			return err
		})
	})
}

func BenchmarkInsert_Trm(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	trm := manager.Must(trmpgx.NewDefaultFactory(f.pool))
	getter := trmpgx.DefaultCtxGetter
	loop(b, func() error {
		return trm.Do(ctx, func(ctx context.Context) error {
			_, err := getter.DefaultTrOrDB(ctx, f.pool).Exec(ctx, f.insert, "x")
			return err
		})
	})
}

func BenchmarkNested_GORM(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	loop(b, func() error {
		return f.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Transaction(func(tx *gorm.DB) error {
				return tx.Exec(f.gormIn, "x").Error
			})
		})
	})
}

func BenchmarkNested_Txctx(b *testing.B) {
	f := setup(b)
	ctx := txctx.WithDB(context.Background(), f.gorm)
	loop(b, func() error {
		return txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.Run(ctx, func(ctx context.Context) error {
				return txctx.DB(ctx).Exec(f.gormIn, "x").Error
			})
		})
	})
}

func BenchmarkNested_Pgx(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	loop(b, func() error {
		return pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
			return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
				_, err := sp.Exec(ctx, f.insert, "x")
				return err
			})
		})
	})
}

func BenchmarkNested_Trm(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	trm := manager.Must(trmpgx.NewDefaultFactory(f.pool))
	getter := trmpgx.DefaultCtxGetter
	loop(b, func() error {
		return trm.Do(ctx, func(ctx context.Context) error {
			return trm.DoWithSettings(ctx, nested, func(ctx context.Context) error {
				_, err := getter.DefaultTrOrDB(ctx, f.pool).Exec(ctx, f.insert, "x")
				return err
			})
		})
	})
}

// nested makes trm's inner Do a savepoint, as txctx's nested Run and GORM's
// nested Transaction are; trm's default (PropagationRequired) would join
// the outer transaction and send nothing.
var nested = trmsettings.Must(trmsettings.WithPropagation(trm.PropagationNested))

// withParam adds a run-time parameter to a URL or keyword/value DSN.
func withParam(dsn, key, value string) string {
	if !strings.Contains(dsn, "://") {
		return dsn + " " + key + "=" + value
	}
	if strings.Contains(dsn, "?") {
		return dsn + "&" + key + "=" + value
	}
	return dsn + "?" + key + "=" + value
}

// BenchmarkPairs_Insert interleaves the four Insert benchmarks and reports
// txctx/gorm and trm/pgx: the overhead of each manager over its baseline.
func BenchmarkPairs_Insert(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	tctx := txctx.WithDB(ctx, f.gorm)
	trm := manager.Must(trmpgx.NewDefaultFactory(f.pool))
	getter := trmpgx.DefaultCtxGetter
	interleavePairs(b,
		[2]op{
			{"gorm", func() error {
				return f.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return tx.Exec(f.gormIn, "x").Error })
			}},
			{"txctx", func() error {
				return txctx.Run(tctx, func(ctx context.Context) error { return txctx.DB(ctx).Exec(f.gormIn, "x").Error })
			}},
		},
		[2]op{
			{"pgx", func() error {
				return pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, f.insert, "x"); return err })
			}},
			{"trm", func() error {
				return trm.Do(ctx, func(ctx context.Context) error {
					_, err := getter.DefaultTrOrDB(ctx, f.pool).Exec(ctx, f.insert, "x")
					return err
				})
			}},
		},
	)
}

// BenchmarkPairs_Nested is BenchmarkPairs_Insert with the insert in a
// nested transaction (a savepoint) on every side.
func BenchmarkPairs_Nested(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	tctx := txctx.WithDB(ctx, f.gorm)
	trm := manager.Must(trmpgx.NewDefaultFactory(f.pool))
	getter := trmpgx.DefaultCtxGetter
	interleavePairs(b,
		[2]op{
			{"gorm", func() error {
				return f.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					return tx.Transaction(func(tx *gorm.DB) error { return tx.Exec(f.gormIn, "x").Error })
				})
			}},
			{"txctx", func() error {
				return txctx.Run(tctx, func(ctx context.Context) error {
					return txctx.Run(ctx, func(ctx context.Context) error { return txctx.DB(ctx).Exec(f.gormIn, "x").Error })
				})
			}},
		},
		[2]op{
			{"pgx", func() error {
				return pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
					return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error { _, err := sp.Exec(ctx, f.insert, "x"); return err })
				})
			}},
			{"trm", func() error {
				return trm.Do(ctx, func(ctx context.Context) error {
					return trm.DoWithSettings(ctx, nested, func(ctx context.Context) error {
						_, err := getter.DefaultTrOrDB(ctx, f.pool).Exec(ctx, f.insert, "x")
						return err
					})
				})
			}},
		},
	)
}
