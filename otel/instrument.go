package gormextotel

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/gormext/gormext/txctx"
)

// Instrument traces db's statements and txctx transactions, and reports
// its pool as metrics (unless WithoutMetrics). Call it once per
// connection, on the *gorm.DB that database.Open returned, before it
// serves requests; a second call on the same connection fails with
// gorm.ErrRegistered.
func Instrument(db *gorm.DB, opts ...Option) error {
	c := newConfig(opts)
	tracer := c.tracerProvider.Tracer(ScopeName)
	if err := db.Use(&statements{tracer: tracer}); err != nil {
		return fmt.Errorf("gormextotel: statement tracing: %w", err)
	}
	if err := txctx.Observe(db, &transactions{tracer: tracer}); err != nil {
		return fmt.Errorf("gormextotel: transaction tracing: %w", err)
	}
	if !c.metrics {
		return nil
	}
	if err := registerPoolMetrics(db, c.meterProvider.Meter(ScopeName), c.poolName); err != nil {
		return fmt.Errorf("gormextotel: pool metrics: %w", err)
	}
	return nil
}
