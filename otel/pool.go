package gormextotel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// Names of the pool metrics.
const (
	ConnectionCountMetric = "db.client.connection.count"             // {connection}, state idle or used
	ConnectionMaxMetric   = "db.client.connection.max"               // {connection}
	TimeoutsMetric        = "db.client.connection.timeouts"          // {timeout}, database.PoolTimeouts
	WaitsMetric           = "gormext.db.client.connection.waits"     // {wait}, sql.DBStats.WaitCount
	WaitTimeMetric        = "gormext.db.client.connection.wait_time" // s, sql.DBStats.WaitDuration
)

// registerPoolMetrics observes db's pool at each collection of meter.
func registerPoolMetrics(db *gorm.DB, meter metric.Meter, pool string) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	count, err := meter.Int64ObservableUpDownCounter(ConnectionCountMetric, metric.WithUnit("{connection}"),
		metric.WithDescription("Connections of the pool, by state (idle or used)."))
	if err != nil {
		return err
	}
	maxOpen, err := meter.Int64ObservableUpDownCounter(ConnectionMaxMetric, metric.WithUnit("{connection}"),
		metric.WithDescription("The most connections the pool may open."))
	if err != nil {
		return err
	}
	timeouts, err := meter.Int64ObservableCounter(TimeoutsMetric, metric.WithUnit("{timeout}"),
		metric.WithDescription("Waits for a connection that ended with database.ErrPoolTimeout."))
	if err != nil {
		return err
	}
	waits, err := meter.Int64ObservableCounter(WaitsMetric, metric.WithUnit("{wait}"),
		metric.WithDescription("Calls that waited for a connection (sql.DBStats.WaitCount)."))
	if err != nil {
		return err
	}
	waitTime, err := meter.Float64ObservableCounter(WaitTimeMetric, metric.WithUnit("s"),
		metric.WithDescription("Total time spent waiting for a connection (sql.DBStats.WaitDuration)."))
	if err != nil {
		return err
	}
	name := semconv.DBClientConnectionPoolName(pool)
	all := metric.WithAttributeSet(attribute.NewSet(name))
	idle := metric.WithAttributeSet(attribute.NewSet(name, semconv.DBClientConnectionStateIdle))
	used := metric.WithAttributeSet(attribute.NewSet(name, semconv.DBClientConnectionStateUsed))
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := sqlDB.Stats()
		o.ObserveInt64(count, int64(s.Idle), idle)
		o.ObserveInt64(count, int64(s.InUse), used)
		o.ObserveInt64(maxOpen, int64(s.MaxOpenConnections), all)
		o.ObserveInt64(timeouts, database.PoolTimeouts(db), all)
		o.ObserveInt64(waits, s.WaitCount, all)
		o.ObserveFloat64(waitTime, s.WaitDuration.Seconds(), all)
		return nil
	}, count, maxOpen, timeouts, waits, waitTime)
	return err
}
