package amqp_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/cutproxy"
	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
	"github.com/gormext/gormext/txctx"
)

// envSoak names the environment variable that sets how long
// TestOutboxFaults injects faults (a Go duration, as for the outbox's
// TestFaultLedger); a short run otherwise.
const envSoak = "GORMEXT_OUTBOX_SOAK"

// faultWorkers is how many producers commit and roll back at once.
const faultWorkers = 16

func faultDuration(t *testing.T) time.Duration {
	t.Helper()
	if v := os.Getenv(envSoak); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s: %v", envSoak, err)
		}
		return d
	}
	return 15 * time.Second
}

// TestOutboxFaults: 16 producers commit and roll back transactions with
// messages (some in savepoints that roll back) on a private PostgreSQL
// cluster, while relays run as processes of their own and are killed with
// SIGKILL at random moments, the cluster is restarted (fast shutdowns and
// crashes), and the relays' connections to RabbitMQ are cut by a proxy
// between them and the broker. A consumer reads the queue into an
// Idempotent handler whose effect is a counted row. Afterwards: every
// committed message was delivered at least once, none of a rolled-back
// transaction or savepoint; a transaction whose COMMIT's answer was lost
// is delivered if and only if the database holds its row; per key, first
// deliveries follow the order of the commits; each message's effect
// happened exactly once.
func TestOutboxFaults(t *testing.T) {
	top := newTopology(t)
	srv := pgfault.Start(t)
	opts := []outbox.Option{outbox.WithTable("fault_outbox"), outbox.WithInboxTable("fault_inbox")}
	db := openFaultCluster(t, srv, "producers", faultWorkers)
	migrateFaultTables(t, db, opts)
	handle := outbox.Idempotent(openFaultCluster(t, srv, "consumer", 4), effect, opts...)

	proxy := cutproxy.Start(t, brokerAddr(t, top.url))
	fleet := newRelayFleet(t, srv.DSN("relay"), viaProxy(t, top.url, proxy.Addr()), top.exchange, outbox.TableName(opts...))
	for range 3 {
		fleet.start(t)
	}
	rec := newReceipts()
	stopConsumer := consume(t, top, rec.handler(handle))

	l := &faultLedger{}
	ctx, stopProducers := context.WithCancel(txctx.WithDB(context.Background(), db))
	var wg sync.WaitGroup
	store := outbox.New(opts...)
	for w := range faultWorkers {
		wg.Go(func() { produce(ctx, store, top.key, l, w) })
	}
	counts := injectFaults(t, srv, proxy, fleet, faultDuration(t))
	stopProducers()
	wg.Wait()

	want := expect(t, db, l)
	start := time.Now()
	awaitEffects(t, db, want, rec)
	drained := time.Since(start)
	fleet.stopAll()
	stopConsumer()

	verify(t, db, want, rec)
	rep := summarize(want, rec)
	t.Logf("%d transactions: %d committed, %d rejected, %d in doubt (%d of them committed); messages: %d to deliver, %d never to (rolled back or savepoint)",
		len(l.txs), want.outcomes[committed], want.outcomes[rejected], want.outcomes[inDoubt], want.doubtCommitted, len(want.deliver), len(want.forbid))
	t.Logf("faults: %d relay processes killed (%d in the middle of a Publish), %d PostgreSQL restarts, %d broker connection cuts; deliveries %d, of which %d repeated (%d after a handler failure), %d messages handled after a later one of their key; max latency %v, p99 %v; drained %v after the faults",
		counts.kills, counts.busyKills, counts.restarts, counts.cuts, rep.deliveries, rep.deliveries-len(rec.first), rec.failures, rep.late, rep.max.Round(time.Millisecond), rep.p99.Round(time.Millisecond), drained.Round(time.Millisecond))
	if counts.kills == 0 || counts.restarts == 0 || counts.cuts == 0 || len(want.deliver) == 0 {
		t.Errorf("faults not injected or nothing committed: %+v, %d messages", counts, len(want.deliver))
	}
}

// openFaultCluster opens a pool on the private cluster through
// database.Open, with application_name app.
func openFaultCluster(t *testing.T, srv *pgfault.Server, app string, size int) *gorm.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := database.Open(ctx, database.Config{URL: srv.DSN(app), PoolSize: size, PoolTimeout: 5 * time.Second,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	return db
}

func migrateFaultTables(t *testing.T, db *gorm.DB, opts []outbox.Option) {
	t.Helper()
	if err := outbox.AutoMigrate(context.Background(), db, opts...); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"CREATE TABLE " + workTable + " (id text PRIMARY KEY)",
		"CREATE TABLE " + orderTable + " (key text PRIMARY KEY, n bigint NOT NULL)",
		"CREATE TABLE " + effectsTable + " (id text PRIMARY KEY, n integer NOT NULL)",
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range faultKeys {
		if err := db.Exec("INSERT INTO "+orderTable+" (key, n) VALUES (?, 0)", k).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// consume runs amqp.Consume on the queue, straight to the broker (not
// through the proxy), until the returned function is called.
func consume(t *testing.T, top *topology, h outbox.Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- amqp.Consume(ctx, amqp.Config{URL: top.url, ReconnectDelay: 100 * time.Millisecond}, top.queue, h)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("consume: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// faultCounts are the faults injected.
type faultCounts struct{ kills, busyKills, restarts, cuts int }

// injectFaults, for d: every 0.3–1 s, kills a relay process (twice) or
// cuts the relays' broker connections for 50–500 ms (every third time); every
// d/3 (at most every 10 s), restarts the cluster, in fast and immediate
// mode in turn, 200 ms down.
func injectFaults(t *testing.T, srv *pgfault.Server, proxy *cutproxy.Proxy, fleet *relayFleet, d time.Duration) faultCounts {
	t.Helper()
	var c faultCounts
	every := min(d/3, 10*time.Second)
	end, next := time.Now().Add(d), time.Now().Add(every)
	for i := 0; time.Now().Before(end); i++ {
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		switch {
		case time.Now().After(next):
			srv.Restart(t, []string{"fast", "immediate"}[c.restarts%2], 200*time.Millisecond)
			c.restarts++
			next = next.Add(every)
		case i%3 == 2:
			proxy.Cut(t)
			time.Sleep(time.Duration(50+rand.IntN(450)) * time.Millisecond)
			proxy.Restore(t)
			c.cuts++
		default:
			fleet.killOne(t)
		}
	}
	c.kills, c.busyKills = fleet.kills, fleet.busy
	return c
}

// expectation is what the deliveries must show, from the ledger and, for
// the transactions in doubt, from the database.
type expectation struct {
	deliver        map[string]sent      // delivered at least once, effect once
	forbid         map[string]bool      // never delivered
	doneAt         map[string]time.Time // when the caller was told of the commit
	outcomes       [3]int
	doubtCommitted int
}

// expect reads which transactions the database holds: each one the caller
// was told committed must be there, none it was told rolled back; one in
// doubt decides by its presence whether its messages must be delivered.
func expect(t *testing.T, db *gorm.DB, l *faultLedger) expectation {
	t.Helper()
	var ids []string
	if err := db.Raw("SELECT id FROM " + workTable).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	stored := make(map[string]bool, len(ids))
	for _, id := range ids {
		stored[id] = true
	}
	e := expectation{deliver: map[string]sent{}, forbid: map[string]bool{}, doneAt: map[string]time.Time{}}
	for _, p := range l.txs {
		e.outcomes[p.outcome]++
		for _, id := range p.savepoint {
			e.forbid[id] = true
		}
		switch {
		case p.outcome == committed && !stored[p.id]:
			t.Errorf("transaction %s committed but its row is not in the database", p.id)
		case p.outcome == rejected && stored[p.id]:
			t.Errorf("transaction %s rolled back but its row is in the database", p.id)
		}
		if p.outcome == inDoubt && stored[p.id] {
			e.doubtCommitted++
		}
		for _, m := range p.msgs {
			if stored[p.id] {
				e.deliver[m.id] = m
				if p.outcome == committed {
					e.doneAt[m.id] = p.done
				}
			} else {
				e.forbid[m.id] = true
			}
		}
	}
	return e
}

// awaitEffects waits until every message to deliver has had its effect,
// or fails after 2 minutes with what the outbox table still holds.
func awaitEffects(t *testing.T, db *gorm.DB, want expectation, rec *receipts) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		fx, err := effects(context.Background(), db)
		missing := 0
		if err == nil {
			for id := range want.deliver {
				if fx[id] == 0 {
					missing++
				}
			}
			if missing == 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			var stats []struct{ State, Claimed, N int }
			db.Raw("SELECT state, (claimed_until > 0)::int AS claimed, count(*) AS n FROM fault_outbox GROUP BY 1, 2").Scan(&stats)
			rec.mu.Lock()
			got := len(rec.first)
			rec.mu.Unlock()
			t.Fatalf("%d of %d committed messages without effect after 2 minutes (%v; %d received); outbox table: %+v",
				missing, len(want.deliver), err, got, stats)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// verify checks the deliveries and effects against the expectation.
func verify(t *testing.T, db *gorm.DB, want expectation, rec *receipts) {
	t.Helper()
	fx, err := effects(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	report := func(format string, args ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	for id := range want.deliver {
		if rec.count[id] == 0 || fx[id] != 1 {
			report("%s committed: delivered %d times, effect %d times (want ≥1, 1)", id, rec.count[id], fx[id])
		}
	}
	for id, n := range rec.count {
		if want.forbid[id] {
			report("%s rolled back (transaction, savepoint or an in-doubt COMMIT that failed) but delivered %d times", id, n)
		} else if _, ok := want.deliver[id]; !ok {
			report("%s delivered but never written", id)
		}
	}
	for id, n := range fx {
		if _, ok := want.deliver[id]; !ok || n != 1 {
			report("effect of %s happened %d times", id, n)
		}
	}
	for _, key := range faultKeys {
		checkOrder(key, rec.first, want, report)
	}
	if len(errs) > 0 {
		t.Errorf("%d or more violations:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}

// checkOrder: the first deliveries of key's messages follow the order of
// their transactions' commits, and within a transaction the order of Add.
func checkOrder(key string, first []outbox.Message, want expectation, report func(string, ...any)) {
	var prev sent
	for _, m := range first {
		s, ok := want.deliver[m.ID]
		if !ok || m.Key != key {
			continue
		}
		if s.rank == 0 {
			report("%s has no commit rank", m.ID)
		}
		if prev.id != "" && (s.rank < prev.rank || s.rank == prev.rank && s.place <= prev.place) {
			report("key %s: %s (commit %d, #%d) first delivered after %s (commit %d, #%d)", key, m.ID, s.rank, s.place, prev.id, prev.rank, prev.place)
		}
		prev = s
	}
}

// latencies are the delivery figures of a run.
type latencies struct {
	deliveries int
	max, p99   time.Duration
	late       int // handled after a later message of its key
}

// summarize counts the deliveries and the messages handled out of their
// key's order (a delivery whose handler failed is requeued behind the
// ones the consumer had prefetched: the order of handling is not the
// order of first deliveries), and measures, for each message whose caller
// was told it committed, from that moment to its first delivery.
func summarize(want expectation, rec *receipts) latencies {
	var r latencies
	for _, n := range rec.count {
		r.deliveries += n
	}
	for _, key := range faultKeys {
		checkOrder(key, rec.handled, want, func(string, ...any) { r.late++ })
	}
	var ds []time.Duration
	for id, done := range want.doneAt {
		ds = append(ds, max(rec.at[id].Sub(done), 0))
	}
	if len(ds) == 0 {
		return r
	}
	slices.Sort(ds)
	r.max, r.p99 = ds[len(ds)-1], ds[len(ds)*99/100]
	return r
}
