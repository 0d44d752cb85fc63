package gormextotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/gormext/gormext/otel"

// Option adjusts Instrument.
type Option func(*config)

type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	poolName       string
	metrics        bool
}

// WithTracerProvider sets the provider of the tracer (default: the global
// one, otel.GetTracerProvider, at the time of Instrument).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tracerProvider = tp }
}

// WithMeterProvider sets the provider of the meter (default: the global
// one, otel.GetMeterProvider, at the time of Instrument).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.meterProvider = mp }
}

// WithConnectionName names the connection in the metrics
// (db.client.connection.pool.name); default "default". Give each
// instrumented connection its own name, such as its name in
// database.OpenAll.
func WithConnectionName(name string) Option {
	return func(c *config) { c.poolName = name }
}

// WithoutMetrics leaves the pool metrics out: only spans.
func WithoutMetrics() Option {
	return func(c *config) { c.metrics = false }
}

// newConfig applies opts over the defaults: the global providers, pool
// name "default", metrics on.
func newConfig(opts []Option) config {
	c := config{poolName: "default", metrics: true}
	for _, o := range opts {
		o(&c)
	}
	if c.tracerProvider == nil {
		c.tracerProvider = otel.GetTracerProvider()
	}
	if c.meterProvider == nil {
		c.meterProvider = otel.GetMeterProvider()
	}
	return c
}
