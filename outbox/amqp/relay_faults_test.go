package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/cutproxy"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
	"github.com/gormext/gormext/txctx"
)

// TestRelayThroughConnectionCuts: transactions store messages through the
// outbox (some roll back, some in savepoints that roll back) while a relay
// publishes them to RabbitMQ through a proxy that cuts every connection
// three times, each time until a publish has failed. Afterwards every committed message reached the queue at
// least once, none of a rollback did, and the first delivery of each
// key's messages follows the order they were committed in.
func TestRelayThroughConnectionCuts(t *testing.T) {
	top := newTopology(t)
	for kind, url := range faultDatabases(t) {
		t.Run(kind, func(t *testing.T) {
			db := openFaultDB(t, url)
			table := strings.ReplaceAll(uniqueName("relay_cuts"), "-", "_")
			opts := []outbox.Option{outbox.WithTable(table), outbox.WithPollInterval(20 * time.Millisecond),
				outbox.WithRetryBackoff(10*time.Millisecond, 200*time.Millisecond), outbox.WithMaxAttempts(1000)}
			if err := outbox.AutoMigrate(context.Background(), db, opts...); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Migrator().DropTable(table, table+"_inbox") })

			proxy := cutproxy.Start(t, brokerAddr(t, top.url))
			pub := &countingPublisher{Publisher: amqp.NewPublisher(amqp.Config{URL: viaProxy(t, top.url, proxy.Addr()), Exchange: top.exchange})}
			defer pub.Publisher.(*amqp.Publisher).Close()
			relay := outbox.NewRelay(db, pub, opts...)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { _ = relay.Run(ctx) })
			wctx, store := txctx.WithDB(context.Background(), db), outbox.New(opts...)
			committed, rolledBack := ledger{byKey: map[string][]string{}, keyOf: map[string]string{}}, map[string]bool{}
			for phase := range 3 {
				writeMessages(t, wctx, top.key, store, phase*50, 50, committed, rolledBack)
				proxy.Cut(t)
				// The relay sees the cut: messages written meanwhile fail to publish.
				before := pub.failures.Load()
				writeMessages(t, wctx, top.key, store, 150+phase*10, 10, committed, rolledBack)
				awaitFailure(t, pub, before)
				proxy.Restore(t)
			}
			firsts := awaitDeliveries(t, top, committed)
			cancel()
			wg.Wait()

			for id := range firsts.seen {
				if rolledBack[id] {
					t.Errorf("%s was rolled back but reached the queue", id)
				}
			}
			for key, ids := range committed.byKey {
				if got := firsts.byKey(key, committed.keyOf); !slices.Equal(got, ids) {
					t.Errorf("key %s: first deliveries %v, want the commit order %v", key, got, ids)
				}
			}
			t.Logf("%d committed, %d rolled back, %d deliveries (%d duplicates)", len(committed.keyOf), len(rolledBack), firsts.total, firsts.total-len(firsts.seen))
		})
	}
}

// ledger is what the writer committed: each key's message IDs in commit
// order, and each ID's key.
type ledger struct {
	byKey map[string][]string
	keyOf map[string]string
}

var errRollBack = errors.New("roll back")

// writeMessages commits n transactions numbered from first, of one or
// two messages each, over five keys: one in seven rolled back whole, one
// in five with a second message in a savepoint that rolls back. It adds
// the committed ones to l and the rolled-back ones to rolledBack.
func writeMessages(t *testing.T, ctx context.Context, topic string, store *outbox.Store, first, n int, l ledger, rolledBack map[string]bool) {
	t.Helper()
	for i := first; i < first+n; i++ {
		key := fmt.Sprint("k", i%5)
		id := fmt.Sprintf("m%04d", i)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := store.Add(ctx, outbox.Message{ID: id, Topic: topic, Key: key, Payload: []byte(id)}); err != nil {
				return err
			}
			if i%5 == 0 {
				_ = txctx.Run(ctx, func(ctx context.Context) error {
					if err := store.Add(ctx, outbox.Message{ID: "s" + id, Topic: topic, Key: key}); err != nil {
						return err
					}
					return errRollBack
				})
				rolledBack["s"+id] = true
			}
			if i%7 == 0 {
				return errRollBack
			}
			return nil
		})
		switch {
		case errors.Is(err, errRollBack):
			rolledBack[id] = true
		case err != nil:
			t.Fatalf("transaction %d: %v", i, err)
		default:
			l.byKey[key] = append(l.byKey[key], id)
			l.keyOf[id] = key
		}
	}
}

// countingPublisher counts the Publish calls that failed.
type countingPublisher struct {
	outbox.Publisher
	failures atomic.Int64
}

func (p *countingPublisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	n, err := p.Publisher.Publish(ctx, msgs)
	if err != nil {
		p.failures.Add(1)
	}
	return n, err
}

// awaitFailure waits until a Publish fails after the count before, or
// fails the test after 20 s.
func awaitFailure(t *testing.T, pub *countingPublisher, before int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for pub.failures.Load() == before {
		if time.Now().After(deadline) {
			t.Fatal("no publish failed while the broker was cut off")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// deliveries are the IDs seen in the queue, in the order of their first
// delivery.
type deliveries struct {
	order []string
	seen  map[string]bool
	total int
}

func (d deliveries) byKey(key string, keyOf map[string]string) []string {
	var out []string
	for _, id := range d.order {
		if keyOf[id] == key {
			out = append(out, id)
		}
	}
	return out
}

// awaitDeliveries drains the queue until every committed message has been
// delivered, or fails after 60 s.
func awaitDeliveries(t *testing.T, top *topology, want ledger) deliveries {
	t.Helper()
	d := deliveries{seen: map[string]bool{}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, m := range top.drain(t) {
			d.total++
			if !d.seen[m.MessageId] {
				d.seen[m.MessageId] = true
				d.order = append(d.order, m.MessageId)
			}
		}
		missing := 0
		for id := range want.keyOf {
			if !d.seen[id] {
				missing++
			}
		}
		if missing == 0 {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d committed messages never reached the queue", missing, len(want.keyOf))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// faultDatabases are in-memory SQLite, and PostgreSQL when
// GORMEXT_TEST_POSTGRES_DSN is set.
func faultDatabases(t *testing.T) map[string]string {
	urls := map[string]string{"sqlite": "sqlite::memory:"}
	if dsn := strings.TrimSpace(os.Getenv("GORMEXT_TEST_POSTGRES_DSN")); dsn != "" {
		urls["postgres"] = dsn
	}
	return urls
}

func openFaultDB(t *testing.T, url string) *gorm.DB {
	t.Helper()
	db, err := database.Open(context.Background(), database.Config{URL: url, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}
