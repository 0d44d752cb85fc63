package txctx_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// Each benchmark pair does the same work: plain GORM is the baseline, txctx
// the candidate. The databases are opened with testdb.Plain (GORM alone).

func benchDB(b *testing.B, kind testdb.Kind) *gorm.DB {
	b.Helper()
	if kind == testdb.Postgres && testdb.PostgresDSN() == "" {
		b.Skip("GORMEXT_TEST_POSTGRES_DSN not set")
	}
	db := testdb.Open(b, kind, testdb.Plain())
	if err := db.AutoMigrate(&item{}); err != nil {
		b.Fatal(err)
	}
	return db
}

func benchKinds(b *testing.B, body func(b *testing.B, db *gorm.DB)) {
	for _, kind := range []testdb.Kind{testdb.SQLite, testdb.Postgres} {
		b.Run(string(kind), func(b *testing.B) { body(b, benchDB(b, kind)) })
	}
}

func BenchmarkTransactionInsert_GORM(b *testing.B) {
	benchKinds(b, func(b *testing.B, db *gorm.DB) {
		ctx := context.Background()
		loop(b, func() error {
			return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				return tx.Create(&item{Name: "x"}).Error
			})
		})
	})
}

func BenchmarkTransactionInsert_Txctx(b *testing.B) {
	benchKinds(b, func(b *testing.B, db *gorm.DB) {
		ctx := txctx.WithDB(context.Background(), db)
		loop(b, func() error {
			return txctx.Run(ctx, func(ctx context.Context) error {
				return txctx.DB(ctx).Create(&item{Name: "x"}).Error
			})
		})
	})
}

func BenchmarkNestedInsert_GORM(b *testing.B) {
	benchKinds(b, func(b *testing.B, db *gorm.DB) {
		ctx := context.Background()
		loop(b, func() error {
			return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				return tx.Transaction(func(tx *gorm.DB) error {
					return tx.Create(&item{Name: "x"}).Error
				})
			})
		})
	})
}

func BenchmarkNestedInsert_Txctx(b *testing.B) {
	benchKinds(b, func(b *testing.B, db *gorm.DB) {
		ctx := txctx.WithDB(context.Background(), db)
		loop(b, func() error {
			return txctx.Run(ctx, func(ctx context.Context) error {
				return txctx.Run(ctx, func(ctx context.Context) error {
					return txctx.DB(ctx).Create(&item{Name: "x"}).Error
				})
			})
		})
	})
}

func BenchmarkDB_Outside(b *testing.B) {
	db := benchDB(b, testdb.SQLite)
	ctx := txctx.WithDB(context.Background(), db)
	b.ReportAllocs()
	for b.Loop() {
		_ = txctx.DB(ctx)
	}
}

func BenchmarkDB_Inside(b *testing.B) {
	db := benchDB(b, testdb.SQLite)
	ctx := txctx.WithDB(context.Background(), db)
	_ = txctx.Run(ctx, func(ctx context.Context) error {
		b.ReportAllocs()
		for b.Loop() {
			_ = txctx.DB(ctx)
		}
		return nil
	})
}

// BenchmarkDB_WithContext is the baseline of DB: what a caller holding the
// *gorm.DB would do.
func BenchmarkDB_WithContext(b *testing.B) {
	db := benchDB(b, testdb.SQLite)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = db.WithContext(ctx)
	}
}

// BenchmarkPairInsert interleaves GORM's Transaction and txctx.Run, each
// with one insert, and reports their ratio (txctx/gorm).
func BenchmarkPairInsert(b *testing.B) {
	benchKinds(b, func(b *testing.B, db *gorm.DB) {
		ctx := txctx.WithDB(context.Background(), db)
		interleave(b,
			op{"gorm", func() error {
				return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					return tx.Create(&item{Name: "x"}).Error
				})
			}},
			op{"txctx", func() error {
				return txctx.Run(ctx, func(ctx context.Context) error {
					return txctx.DB(ctx).Create(&item{Name: "x"}).Error
				})
			}},
		)
	})
}

// BenchmarkPairNested is BenchmarkPairInsert with the insert in a nested
// transaction (a savepoint).
func BenchmarkPairNested(b *testing.B) {
	benchKinds(b, func(b *testing.B, db *gorm.DB) {
		ctx := txctx.WithDB(context.Background(), db)
		interleave(b,
			op{"gorm", func() error {
				return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					return tx.Transaction(func(tx *gorm.DB) error {
						return tx.Create(&item{Name: "x"}).Error
					})
				})
			}},
			op{"txctx", func() error {
				return txctx.Run(ctx, func(ctx context.Context) error {
					return txctx.Run(ctx, func(ctx context.Context) error {
						return txctx.DB(ctx).Create(&item{Name: "x"}).Error
					})
				})
			}},
		)
	})
}
