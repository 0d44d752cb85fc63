package gormextotel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	gormextotel "github.com/gormext/gormext/otel"
)

// poolOfOne is a pool of one connection whose waits end quickly.
func poolOfOne(c *database.Config) {
	c.PoolSize = 1
	c.MaxOverflow = -1
	c.PoolTimeout = 200 * time.Millisecond
}

// TestPoolMetrics: with the only connection held by a transaction, a
// statement waits and times out; the metrics then show one connection
// used and none idle, at most one, one timeout, and the wait.
func TestPoolMetrics(t *testing.T) {
	forEachDB(t, poolOfOne, func(t *testing.T, db *gorm.DB) {
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		if err := gormextotel.Instrument(db, gormextotel.WithMeterProvider(mp), gormextotel.WithConnectionName("main")); err != nil {
			t.Fatal(err)
		}
		if err := db.AutoMigrate(&otelUser{}); err != nil {
			t.Fatal(err)
		}
		before := collect(t, reader)
		if got := before.value(t, gormextotel.TimeoutsMetric, ""); got != 0 {
			t.Fatalf("timeouts before any = %v, want 0", got)
		}
		tx := db.Begin()
		if tx.Error != nil {
			t.Fatal(tx.Error)
		}
		defer tx.Rollback()
		if err := db.Exec("DELETE FROM otel_users").Error; !errors.Is(err, database.ErrPoolTimeout) {
			t.Fatalf("err = %v, want ErrPoolTimeout", err)
		}
		m := collect(t, reader)
		for _, c := range []struct {
			name, state string
			want        float64
		}{
			{gormextotel.ConnectionCountMetric, "used", 1},
			{gormextotel.ConnectionCountMetric, "idle", 0},
			{gormextotel.ConnectionMaxMetric, "", 1},
			{gormextotel.TimeoutsMetric, "", 1},
		} {
			if got := m.value(t, c.name, c.state); got != c.want {
				t.Errorf("%s %s = %v, want %v", c.name, c.state, got, c.want)
			}
		}
		if got := m.value(t, gormextotel.WaitsMetric, ""); got < 1 {
			t.Errorf("%s = %v, want at least 1", gormextotel.WaitsMetric, got)
		}
		if got := m.value(t, gormextotel.WaitTimeMetric, ""); got <= 0 {
			t.Errorf("%s = %v, want the time waited", gormextotel.WaitTimeMetric, got)
		}
	})
}

// collected is one collection: data points by metric name, with their
// attributes.
type collected map[string][]point

type point struct {
	attrs attribute.Set
	value float64
}

func collect(t *testing.T, r *sdkmetric.ManualReader) collected {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := collected{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != gormextotel.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[m.Name] = append(out[m.Name], point{p.Attributes, float64(p.Value)})
				}
			case metricdata.Sum[float64]:
				for _, p := range d.DataPoints {
					out[m.Name] = append(out[m.Name], point{p.Attributes, p.Value})
				}
			default:
				t.Fatalf("metric %s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return out
}

// value is the one data point of name (with db.client.connection.state
// = state when state is set), which must carry the pool's name.
func (c collected) value(t *testing.T, name, state string) float64 {
	t.Helper()
	var found []float64
	for _, p := range c[name] {
		if pool, _ := p.attrs.Value("db.client.connection.pool.name"); pool.AsString() != "main" {
			t.Errorf("%s: pool name %q, want main", name, pool.AsString())
		}
		if s, _ := p.attrs.Value("db.client.connection.state"); s.AsString() == state {
			found = append(found, p.value)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s (state %q): %d data points, want 1 (all: %v)", name, state, len(found), c[name])
	}
	return found[0]
}
