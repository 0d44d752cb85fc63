package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// EnvSoak names the environment variable that sets how long
// TestFaultLedger injects faults (a Go duration); a short run otherwise.
const EnvSoak = "GORMEXT_OUTBOX_SOAK"

func faultTime(t *testing.T) time.Duration {
	if v := os.Getenv(EnvSoak); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s: %v", EnvSoak, err)
		}
		return d
	}
	return 1500 * time.Millisecond
}

// faultLedger records what each producing transaction's caller was told.
type faultLedger struct {
	mu        sync.Mutex
	committed map[string]bool // Run returned nil: must be delivered
	rejected  map[string]bool // rolled back (or its savepoint): must never be delivered
	unknown   map[string]bool // COMMIT sent, answer lost
}

func (l *faultLedger) file(set map[string]bool, ids ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		set[id] = true
	}
}

// broker is the Publisher of the fault test: it hands each message to the
// consumer (an Idempotent handler), now and then twice (a redelivery), and
// now and then refuses a message, as a broker that is down would.
type broker struct {
	consumer  outbox.Handler
	mu        sync.Mutex
	first     []outbox.Message // first deliveries, in order
	delivered map[string]int
	refusals  atomic.Int64
}

func (b *broker) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	for i, m := range msgs {
		if rand.IntN(20) == 0 {
			b.refusals.Add(1)
			return i, errors.New("broker: unavailable")
		}
		for range 1 + rand.IntN(2) {
			if err := b.consumer(ctx, m); err != nil {
				return i, fmt.Errorf("consumer: %w", err)
			}
			b.record(m)
		}
	}
	return len(msgs), nil
}

func (b *broker) record(m outbox.Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.delivered[m.ID] == 0 {
		b.first = append(b.first, m)
	}
	b.delivered[m.ID]++
}

// TestFaultLedger: writers commit and roll back transactions with
// messages (some in savepoints that roll back) while relays are stopped at
// random points and their PostgreSQL backends killed. Afterwards every
// committed message was delivered at least once, none from a rolled-back
// transaction or savepoint, each writer's messages of a key in order, and
// through the inbox each message's effect happened exactly once.
func TestFaultLedger(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("PostgreSQL only")
	}
	db := testdb.Open(t, testdb.Postgres)
	ctx, opts := setup(t, db)
	table := tableOf(opts)
	l := &faultLedger{committed: map[string]bool{}, rejected: map[string]bool{}, unknown: map[string]bool{}}
	b := &broker{consumer: outbox.Idempotent(db, effect(table), opts...), delivered: map[string]int{}}
	relayOpts := append(opts, outbox.WithBatchSize(16), outbox.WithClaimTTL(time.Second),
		outbox.WithRetryBackoff(time.Millisecond, 20*time.Millisecond), outbox.WithMaxAttempts(1<<20),
		outbox.WithPollInterval(50*time.Millisecond))

	faultCtx, stopFaults := context.WithCancel(ctx)
	var wg sync.WaitGroup
	s := outbox.New(opts...)
	for w := range 4 {
		wg.Go(func() { produce(faultCtx, s, l, w) })
	}
	var kills atomic.Int64
	for range 2 {
		wg.Go(func() { restartRelays(faultCtx, db, b, relayOpts) })
	}
	wg.Go(func() { kills.Add(int64(killRelays(t, faultCtx, table))) })
	time.Sleep(faultTime(t))
	stopFaults()
	wg.Wait()

	drainAll(t, ctx, db, b, l, relayOpts)
	verifyLedger(t, db, table, l, b)
	t.Logf("%d committed, %d rejected, %d in doubt; %d relay backends killed, %d refusals",
		len(l.committed), len(l.rejected), len(l.unknown), kills.Load(), b.refusals.Load())
	if kills.Load() == 0 {
		t.Error("no relay backend was killed: the faults were not injected")
	}
}

// produce commits or rolls back transactions with messages until ctx ends.
func produce(ctx context.Context, s *outbox.Store, l *faultLedger, w int) {
	for i := 0; ctx.Err() == nil; i++ {
		key := fmt.Sprint("key-", rand.IntN(3))
		id := fmt.Sprintf("w%d-%06d", w, i)
		rollback := rand.IntN(5) == 0
		var spIDs []string
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := s.Add(ctx, outbox.Message{ID: id, Topic: "t", Key: key}); err != nil {
				return err
			}
			if rand.IntN(3) == 0 {
				sp := id + "-sp"
				spIDs = append(spIDs, sp)
				_ = txctx.Run(ctx, func(ctx context.Context) error {
					_ = s.Add(ctx, outbox.Message{ID: sp, Topic: "t", Key: key})
					return errBoom
				})
			}
			if rollback {
				return errBoom
			}
			return nil
		})
		time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond) // writers must not outrun the relays for good
		l.file(l.rejected, spIDs...)
		switch {
		case err == nil:
			l.file(l.committed, id)
		case errors.Is(err, txctx.ErrCommit):
			l.file(l.unknown, id)
		default:
			l.file(l.rejected, id)
		}
	}
}

// restartRelays runs a relay for a random while, stops it, and again,
// until ctx ends.
func restartRelays(ctx context.Context, db *gorm.DB, b *broker, opts []outbox.Option) {
	for ctx.Err() == nil {
		rctx, cancel := context.WithTimeout(ctx, time.Duration(10+rand.IntN(150))*time.Millisecond)
		_ = outbox.NewRelay(db, b, opts...).Run(rctx)
		cancel()
	}
}

// killRelays terminates the backends whose last statement was a relay's
// (claims, settling, LISTEN on the table's channel) until ctx ends.
func killRelays(t *testing.T, ctx context.Context, table string) int {
	admin, err := sql.Open("pgx", testdb.PostgresDSN())
	if err != nil {
		t.Error(err)
		return 0
	}
	defer admin.Close()
	kills := 0
	for ctx.Err() == nil {
		var n int
		err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE pid <> pg_backend_pid() AND ((query LIKE '%claimed_by%' AND query LIKE '%' || $1 || '%')
				OR query LIKE 'LISTEN%' || $2 || '%')`, table, outbox.Channel(table)).Scan(&n)
		if err == nil {
			kills += n
		}
		time.Sleep(time.Duration(20+rand.IntN(40)) * time.Millisecond)
	}
	return kills
}

// drainAll runs one relay until every committed message was delivered.
func drainAll(t *testing.T, ctx context.Context, db *gorm.DB, b *broker, l *faultLedger, opts []outbox.Option) {
	t.Helper()
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = outbox.NewRelay(db, b, opts...).Run(rctx) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if missing(l, b) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	var stats []struct {
		State, Attempts, N int
		Claimed            int
		Due                int64
	}
	db.Raw("SELECT state, attempts, count(*) AS n, sum(CASE WHEN claimed_until > 0 THEN 1 ELSE 0 END) AS claimed, max(due_at) AS due FROM " +
		outbox.TableName(opts...) + " GROUP BY state, attempts").Scan(&stats)
	t.Errorf("%d committed messages not delivered within 2 minutes; in the table: %+v", missing(l, b), stats)
}

func missing(l *faultLedger, b *broker) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for id := range l.committed {
		if b.delivered[id] == 0 {
			n++
		}
	}
	return n
}

func verifyLedger(t *testing.T, db *gorm.DB, table string, l *faultLedger, b *broker) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	last := map[string]string{}
	for _, m := range b.first {
		if l.rejected[m.ID] {
			t.Errorf("%s delivered, though its transaction or savepoint rolled back", m.ID)
		}
		if !l.committed[m.ID] && !l.unknown[m.ID] && !l.rejected[m.ID] {
			t.Errorf("%s delivered, never written", m.ID)
		}
		writer, _, _ := strings.Cut(m.ID, "-")
		lk := m.Key + "/" + writer
		if prev, ok := last[lk]; ok && prev >= m.ID {
			t.Errorf("key %s: %s first delivered after %s", m.Key, m.ID, prev)
		}
		last[lk] = m.ID
	}
	fx := effects(t, db, table)
	for id, n := range fx {
		if n != 1 || b.delivered[id] == 0 {
			t.Errorf("effect of %s happened %d times (delivered %d times), want once", id, n, b.delivered[id])
		}
	}
	for id := range b.delivered {
		if fx[id] != 1 {
			t.Errorf("%s delivered but its effect happened %d times", id, fx[id])
		}
	}
}
