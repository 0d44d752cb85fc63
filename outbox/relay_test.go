package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// add commits one transaction with msgs.
func add(t testing.TB, ctx context.Context, s *outbox.Store, msgs ...outbox.Message) {
	t.Helper()
	must(t, txctx.Run(ctx, func(ctx context.Context) error {
		for _, m := range msgs {
			if err := s.Add(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}))
}

func ids(msgs []outbox.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// drain runs rounds until one publishes nothing and no message it could
// publish is left: none pending, or only messages held back behind an open
// transaction (held).
func drain(t testing.TB, ctx context.Context, r *outbox.Relay, db *gorm.DB, table string, held int) {
	t.Helper()
	for range 1000 {
		n, err := r.RunOnce(ctx)
		if err != nil {
			t.Logf("round: %v", err)
		}
		if n > 0 || err != nil {
			continue
		}
		var pending int
		must(t, db.Raw("SELECT count(*) FROM "+table+" WHERE state = 0").Scan(&pending).Error)
		if pending <= held {
			return
		}
		time.Sleep(2 * time.Millisecond) // a retry's backoff
	}
	t.Fatal("the relay did not drain the outbox in 1000 rounds")
}

func TestRelayPublishesCommittedMessagesAndDeletesThem(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		s := outbox.New(opts...)
		add(t, ctx, s, outbox.Message{ID: "a", Topic: "t", Key: "k", Payload: []byte("pa"), Headers: map[string]string{"h": "v"}},
			msg("b", "k"))
		add(t, ctx, s, msg("c", ""))
		var pub outbox.MemoryPublisher
		r := outbox.NewRelay(db, &pub, opts...)
		drain(t, ctx, r, db, tableOf(opts), 0)
		got := pub.Messages()
		if !slices.Equal(ids(got), []string{"a", "b", "c"}) {
			t.Fatalf("published %q", ids(got))
		}
		if string(got[0].Payload) != "pa" || got[0].Headers["h"] != "v" || got[0].Topic != "t" || got[0].Key != "k" || got[0].CreatedAt.IsZero() {
			t.Errorf("published %+v", got[0])
		}
		if left := stored(t, db, tableOf(opts)); len(left) != 0 {
			t.Errorf("left in the outbox: %q", left)
		}
	})
}

func TestRelayRetriesInOrderAndMovesToDead(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		s := outbox.New(opts...)
		add(t, ctx, s, msg("a", "k"), msg("b", "k"), msg("c", "k"), msg("x", "dead"), msg("y", "dead"))
		failures := map[string]int{"b": 1}
		pub := outbox.MemoryPublisher{Fail: func(m outbox.Message) error {
			if m.ID == "x" {
				return errors.New("refused \x00 for good")
			}
			if failures[m.ID] > 0 {
				failures[m.ID]--
				return errors.New("broker unavailable")
			}
			return nil
		}}
		r := outbox.NewRelay(db, &pub, append(opts, outbox.WithRetryBackoff(time.Millisecond, time.Millisecond), outbox.WithMaxAttempts(2))...)
		if n, err := r.RunOnce(ctx); n != 1 || err == nil {
			t.Fatalf("first round = %d, %v: want a accepted, then b refused", n, err)
		}
		drain(t, ctx, r, db, tableOf(opts), 0)
		if got := ids(pub.Messages()); !slices.Equal(got, []string{"a", "b", "c", "y"}) {
			t.Fatalf("published %q, want a b c y", got)
		}
		var dead struct {
			State     int
			Attempts  int
			LastError string
		}
		must(t, db.Raw("SELECT state, attempts, last_error FROM "+tableOf(opts)+" WHERE id = 'x'").Scan(&dead).Error)
		if dead.State != 2 || dead.Attempts != 2 || dead.LastError != "refused  for good" {
			t.Errorf("x is %+v, want dead after 2 attempts with its error", dead)
		}
	})
}

func TestRelayRetention(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		add(t, ctx, outbox.New(opts...), msg("a", "k"))
		var pub outbox.MemoryPublisher
		drain(t, ctx, outbox.NewRelay(db, &pub, append(opts, outbox.WithRetention(time.Hour))...), db, tableOf(opts), 0)
		var state int
		must(t, db.Raw("SELECT state FROM "+tableOf(opts)+" WHERE id = 'a'").Scan(&state).Error)
		if state != 1 || len(pub.Messages()) != 1 {
			t.Errorf("state %d after publishing %d, want kept as sent (1)", state, len(pub.Messages()))
		}
	})
}

// Run wakes when a transaction of this process commits messages, long
// before its poll interval.
func TestRelayRunWakesOnCommitAndStops(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		var pub outbox.MemoryPublisher
		r := outbox.NewRelay(db, &pub, append(opts, outbox.WithPollInterval(time.Hour))...)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- r.Run(runCtx) }()
		for i := range 3 {
			add(t, ctx, outbox.New(opts...), msg(fmt.Sprint(i), "k"))
			wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			_, err := pub.WaitFor(wctx, i+1)
			cancel()
			must(t, err)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatalf("Run after cancel = %v", err)
		}
	})
}

// On PostgreSQL a relay wakes on NOTIFY, sent by a commit in another
// process (here: plain SQL on another pool).
func TestRelayWakesOnNotify(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("PostgreSQL only")
	}
	db := testdb.Open(t, testdb.Postgres)
	ctx, opts := setup(t, db)
	var pub outbox.MemoryPublisher
	r := outbox.NewRelay(db, &pub, append(opts, outbox.WithPollInterval(time.Hour))...)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	defer func() { stop(); <-done }()
	time.Sleep(100 * time.Millisecond) // let the first round and the LISTEN start
	must(t, db.Transaction(func(tx *gorm.DB) error {
		must(t, tx.Exec("INSERT INTO "+tableOf(opts)+" (id, topic, key, payload, headers, created_at) VALUES ('n', 't', '', ''::bytea, '', 0)").Error)
		return tx.Exec("SELECT pg_notify(?, '')", outbox.Channel(tableOf(opts))).Error
	}))
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	got, err := pub.WaitFor(wctx, 1)
	must(t, err)
	if got[0].ID != "n" {
		t.Errorf("published %q", ids(got))
	}
}

// A transaction with a message of key k that has written it but not yet
// committed holds back the later messages of k: they are not published
// before it, while other keys go on.
func TestRelayHoldsKeyBehindOpenTransaction(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("PostgreSQL only: SQLite has one writer")
	}
	db := testdb.Open(t, testdb.Postgres)
	ctx, opts := setup(t, db)
	s := outbox.New(opts...)
	written, release := make(chan struct{}), make(chan struct{})
	errA := make(chan error, 1)
	go func() {
		errA <- txctx.Run(ctx, func(ctx context.Context) error {
			must(t, s.Add(ctx, msg("first", "k")))
			// Registered after the message: runs after its flush. Through
			// database.Open's pool the message's statement waits to go
			// with the COMMIT; this flush's own statement sends it first.
			return txctx.BeforeCommit(ctx, "hold", 0, func(ctx context.Context, _ []int) error {
				if err := txctx.DB(ctx).Exec("SELECT 1").Error; err != nil {
					return err
				}
				close(written)
				<-release
				return nil
			})
		})
	}()
	<-written
	errB := make(chan error, 1)
	go func() {
		errB <- txctx.Run(ctx, func(ctx context.Context) error { return s.Add(ctx, msg("second", "k")) })
	}()
	add(t, ctx, s, msg("other", "other-key"))
	var pub outbox.MemoryPublisher
	r := outbox.NewRelay(db, &pub, opts...)
	drain(t, ctx, r, db, tableOf(opts), 0)
	if got := ids(pub.Messages()); !slices.Equal(got, []string{"other"}) {
		t.Fatalf("published %q while the first message of k was in flight, want only other", got)
	}
	close(release)
	must(t, <-errA)
	must(t, <-errB)
	drain(t, ctx, r, db, tableOf(opts), 0)
	if got := ids(pub.Messages()); !slices.Equal(got, []string{"other", "first", "second"}) {
		t.Fatalf("published %q, want other, first, second", got)
	}
}

// Several relays on one table: every message published once (no
// failures here), per key in order.
func TestRelaysShareTheWorkInOrder(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("PostgreSQL only: on SQLite, run one relay")
	}
	db := testdb.Open(t, testdb.Postgres)
	ctx, opts := setup(t, db)
	s := outbox.New(opts...)
	pub := &orderedPublisher{}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range 3 {
		r := outbox.NewRelay(db, pub, append(opts, outbox.WithBatchSize(7))...)
		wg.Go(func() { _ = r.Run(runCtx) })
	}
	var writers sync.WaitGroup
	const perWriter = 40
	for w := range 4 {
		writers.Go(func() {
			for i := range perWriter {
				add(t, ctx, s, msg(fmt.Sprintf("w%d-%03d", w, i), fmt.Sprint("key-", w)),
					msg(fmt.Sprintf("w%d-%03d-shared", w, i), "shared"))
			}
		})
	}
	writers.Wait()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for pub.count() < 4*perWriter*2 && wctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	wg.Wait()
	pub.check(t, db, tableOf(opts), 4*perWriter*2)
}

// A relay stopped while it publishes releases what it did not publish,
// without counting an attempt: another relay takes it at once.
func TestRelayStoppedDuringPublishReleasesItsClaims(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		add(t, ctx, outbox.New(opts...), msg("a", "k"), msg("b", "k"))
		rctx, stop := context.WithCancel(ctx)
		stopping := outbox.MemoryPublisher{Fail: func(m outbox.Message) error {
			if m.ID == "b" {
				stop() // shutdown arrives while b is being published
				return context.Canceled
			}
			return nil
		}}
		_, _ = outbox.NewRelay(db, &stopping, opts...).RunOnce(rctx)
		var left struct {
			Attempts     int
			ClaimedUntil int64
		}
		must(t, db.Raw("SELECT attempts, claimed_until FROM "+tableOf(opts)+" WHERE id = 'b'").Scan(&left).Error)
		if left.Attempts != 0 || left.ClaimedUntil != 0 {
			t.Fatalf("b after the stop: %+v, want released with no attempt counted", left)
		}
		var pub outbox.MemoryPublisher
		if n, err := outbox.NewRelay(db, &pub, opts...).RunOnce(ctx); n != 1 || err != nil {
			t.Fatalf("next relay's round = %d, %v, want b published at once", n, err)
		}
		if got := ids(append(stopping.Messages(), pub.Messages()...)); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("published %q", got)
		}
	})
}

func TestDeadAndRequeue(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		add(t, ctx, outbox.New(opts...), outbox.Message{ID: "x", Topic: "t", Key: "k", Headers: map[string]string{"h": "v"}})
		broken := outbox.MemoryPublisher{Fail: func(outbox.Message) error { return errors.New("no route") }}
		_, _ = outbox.NewRelay(db, &broken, append(opts, outbox.WithMaxAttempts(1))...).RunOnce(ctx)
		dead, err := outbox.Dead(ctx, db, 10, opts...)
		must(t, err)
		if len(dead) != 1 || dead[0].ID != "x" || dead[0].Attempts != 1 || dead[0].LastError != "no route" || dead[0].Headers["h"] != "v" {
			t.Fatalf("dead = %+v", dead)
		}
		n, err := outbox.Requeue(ctx, db, []string{"x", "unknown"}, opts...)
		if err != nil || n != 1 {
			t.Fatalf("Requeue = %d, %v, want 1", n, err)
		}
		var pub outbox.MemoryPublisher
		drain(t, ctx, outbox.NewRelay(db, &pub, opts...), db, tableOf(opts), 0)
		if got := ids(pub.Messages()); !slices.Equal(got, []string{"x"}) {
			t.Errorf("published %q after the requeue", got)
		}
		if dead, _ := outbox.Dead(ctx, db, 10, opts...); len(dead) != 0 {
			t.Errorf("still dead: %+v", dead)
		}
	})
}
