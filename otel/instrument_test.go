package gormextotel_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"gorm.io/gorm"

	gormextotel "github.com/gormext/gormext/otel"
)

func TestInstrumentTwiceIsRefused(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, db *gorm.DB) {
		tp := sdktrace.NewTracerProvider()
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		if err := gormextotel.Instrument(db, gormextotel.WithTracerProvider(tp), gormextotel.WithoutMetrics()); err != nil {
			t.Fatal(err)
		}
		err := gormextotel.Instrument(db, gormextotel.WithTracerProvider(tp), gormextotel.WithoutMetrics())
		if !errors.Is(err, gorm.ErrRegistered) {
			t.Errorf("second Instrument: err = %v, want gorm.ErrRegistered", err)
		}
	})
}

// TestNothingSentNoSpan: a statement that is never sent (DryRun, or one
// that failed before its SQL was built) has no span; one that is sent
// does, and a statement that finds nothing is no error.
func TestNothingSentNoSpan(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, db *gorm.DB) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		if err := db.AutoMigrate(&otelUser{}); err != nil {
			t.Fatal(err)
		}
		if err := gormextotel.Instrument(db, gormextotel.WithTracerProvider(tp), gormextotel.WithoutMetrics()); err != nil {
			t.Fatal(err)
		}
		db.Session(&gorm.Session{DryRun: true}).Create(&otelUser{Email: secret})
		failed := db.Session(&gorm.Session{})
		_ = failed.AddError(errors.New("refused before sending"))
		failed.Create(&otelUser{Email: secret})
		if n := len(exp.GetSpans()); n != 0 {
			t.Fatalf("%d spans for statements never sent, want 0", n)
		}
		var u otelUser
		if err := db.Where("email = ?", secret).First(&u).Error; !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("First: %v", err)
		}
		spans := exp.GetSpans()
		if len(spans) != 1 || spans[0].Name != "SELECT otel_users" {
			t.Fatalf("spans %v, want one SELECT otel_users", spans)
		}
		wantStatus(t, spans[0], codes.Unset)
		wantAttrs(t, spans[0], map[string]string{"db.response.returned_rows": "0"})
		wantNoValue(t, spans, secret)
	})
}
