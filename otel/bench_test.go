package gormextotel_test

import (
	"context"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gormext/gormext/database"
	gormextotel "github.com/gormext/gormext/otel"
	"github.com/gormext/gormext/txctx"
)

// The pair below is the cost of tracing: the same Run with one insert and
// a nested savepoint on in-memory SQLite, without and with Instrument (an
// SDK tracer that records every span and exports none).

// benchRow is the row the benchmarks write.
type benchRow struct {
	ID   int64
	Name string
}

func benchRun(b *testing.B, instrument bool) {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	if err := db.AutoMigrate(&benchRow{}); err != nil {
		b.Fatal(err)
	}
	if instrument {
		tp := sdktrace.NewTracerProvider()
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		if err := gormextotel.Instrument(db, gormextotel.WithTracerProvider(tp), gormextotel.WithoutMetrics()); err != nil {
			b.Fatal(err)
		}
	}
	ctx = txctx.WithDB(ctx, db)
	b.ReportAllocs()
	for b.Loop() {
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := txctx.DB(ctx).Create(&benchRow{Name: "x"}).Error; err != nil {
				return err
			}
			return txctx.Run(ctx, func(ctx context.Context) error {
				var n int64
				return txctx.DB(ctx).Model(&benchRow{}).Count(&n).Error
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRun_Plain(b *testing.B)  { benchRun(b, false) }
func BenchmarkRun_Traced(b *testing.B) { benchRun(b, true) }
