//go:build unix

package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/outbox"
)

// EnvIdle names the environment variable that runs TestIdleRelayCost: how
// long each of its measuring windows lasts (a Go duration, e.g. 1m).
const EnvIdle = "GORMEXT_OUTBOX_IDLE"

// idleWindows is how many windows with a relay, and as many without,
// TestIdleRelayCost measures, in turns.
const idleWindows = 2

// TestIdleRelayCost measures what a relay with nothing to do costs, with
// the default options (poll interval DefaultPollInterval): the CPU time of
// this process while the relay runs, minus that of a window of the same
// length without it, and the statements PostgreSQL ran for it (on a
// private cluster with pg_stat_statements, where the relay is the only
// client). It fails when the relay claims more often than once per poll
// interval (plus one, per window). It runs only when GORMEXT_OUTBOX_IDLE
// sets the window's length; see docs/messaging.md for the figures.
func TestIdleRelayCost(t *testing.T) {
	window := idleWindow(t)
	srv := pgfault.Start(t)
	srv.Exec(t, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
	srv.Restart(t, "fast", 0)
	srv.Exec(t, "CREATE EXTENSION pg_stat_statements")
	db, err := database.Open(context.Background(), database.Config{URL: srv.DSN("relay"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	opts := []outbox.Option{outbox.WithTable("idle_outbox"), outbox.WithInboxTable("idle_inbox")}
	must(t, outbox.AutoMigrate(context.Background(), db, opts...))

	var without, with time.Duration
	var calls map[string]int64
	for range idleWindows {
		without += cpuDuring(func() { time.Sleep(window) })
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { _ = outbox.NewRelay(db, idlePublisher{}, opts...).Run(ctx) })
		time.Sleep(time.Second) // started: LISTEN, a first round
		srv.Exec(t, "SELECT pg_stat_statements_reset()")
		with += cpuDuring(func() { time.Sleep(window) })
		calls = addCalls(calls, statements(t, srv))
		stop()
		wg.Wait()
	}
	total := window * idleWindows
	perMinute := func(n float64) float64 { return n * float64(time.Minute) / float64(total) }
	var sum int64
	var lines []string
	for q, n := range calls {
		sum += n
		lines = append(lines, fmt.Sprintf("%6d  %s", n, q))
	}
	t.Logf("idle relay, poll interval %v, %d × %v: CPU %.1f ms/min (%v with the relay, %v without); %.1f statements/min:\n%s",
		outbox.DefaultPollInterval, idleWindows, window, perMinute(float64((with-without).Microseconds())/1000), with, without,
		perMinute(float64(sum)), strings.Join(lines, "\n"))
	claims := calls[claimStatement(calls)]
	if limit := int64(idleWindows * (window/outbox.DefaultPollInterval + 1)); claims > limit {
		t.Errorf("the idle relay claimed %d times in %v, more than once per poll interval (%v): at most %d expected", claims, total, outbox.DefaultPollInterval, limit)
	}
}

func idleWindow(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv(EnvIdle)
	if v == "" {
		t.Skip(EnvIdle + " is not set (the length of a measuring window, e.g. 1m)")
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s: %v", EnvIdle, err)
	}
	return d
}

// idlePublisher is never called: the relay has nothing to publish.
type idlePublisher struct{}

func (idlePublisher) Publish(context.Context, []outbox.Message) (int, error) {
	return 0, fmt.Errorf("idlePublisher: nothing should be published")
}

// cpuDuring returns the CPU time (user and system) this process spent
// while fn ran.
func cpuDuring(fn func()) time.Duration {
	before := cpuTime()
	fn()
	return cpuTime() - before
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// statements are the calls of each statement pg_stat_statements counted
// since its reset, the harness's own queries apart.
func statements(t *testing.T, srv *pgfault.Server) map[string]int64 {
	t.Helper()
	calls := map[string]int64{}
	srv.Query(t, func(rows *sql.Rows) error {
		var q string
		var n int64
		if err := rows.Scan(&q, &n); err != nil {
			return err
		}
		calls[strings.Join(strings.Fields(q), " ")] += n
		return nil
	}, "SELECT query, calls FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'")
	return calls
}

func addCalls(sum, more map[string]int64) map[string]int64 {
	if sum == nil {
		sum = map[string]int64{}
	}
	for q, n := range more {
		sum[q] += n
	}
	return sum
}

// claimStatement is the statement that opens each claim.
func claimStatement(calls map[string]int64) string {
	for q := range calls {
		if strings.Contains(q, "pg_advisory_xact_lock") {
			return q
		}
	}
	return ""
}
