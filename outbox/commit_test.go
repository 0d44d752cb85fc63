package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/cutproxy"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// throughProxy opens PostgreSQL through database.Open, one connection,
// behind a proxy that counts round trips.
func throughProxy(t *testing.T, configure func(*database.Config)) (*gorm.DB, *cutproxy.Proxy) {
	t.Helper()
	if testdb.PostgresDSN() == "" {
		t.Skip(testdb.EnvPostgresDSN + " not set")
	}
	var proxy *cutproxy.Proxy
	db := testdb.Open(t, testdb.Postgres,
		testdb.Through(func(addr string) string {
			proxy = cutproxy.Start(t, addr)
			return proxy.Addr()
		}),
		testdb.WithConfig(func(c *database.Config) {
			c.PoolSize, c.MaxOverflow = 1, -1
			if configure != nil {
				configure(c)
			}
		}))
	return db, proxy
}

// TestAddTravelsWithCommit: through database.Open's pool on PostgreSQL,
// the statement that writes a transaction's messages goes with the COMMIT:
// a transaction with one insert and outbox.Add waits for one round trip
// less than the same transaction with a second plain INSERT, and with the
// default configuration for as many as with the insert alone, even with
// more than 500 messages (several statements).
func TestAddTravelsWithCommit(t *testing.T) {
	configs := map[string]func(*database.Config){
		"default":     nil,
		"PrepareStmt": func(c *database.Config) { c.GORM = func(g *gorm.Config) { g.PrepareStmt = true } },
	}
	for name, configure := range configs {
		t.Run(name, func(t *testing.T) {
			db, proxy := throughProxy(t, configure)
			ctx, opts := setup(t, db)
			store := outbox.New(opts...)
			table := tableOf(opts)
			n := 0
			roundTrips := func(messages int, second bool) int {
				t.Helper()
				before := proxy.Turns()
				err := txctx.Run(ctx, func(ctx context.Context) error {
					n++
					if err := txctx.DB(ctx).Exec("INSERT INTO "+table+"_effects (id, n) VALUES (?, 1)", fmt.Sprint("e", n)).Error; err != nil {
						return err
					}
					if second {
						return txctx.DB(ctx).Exec("INSERT INTO "+table+"_effects (id, n) VALUES (?, 2)", fmt.Sprint("s", n)).Error
					}
					for i := range messages {
						if err := store.Add(ctx, outbox.Message{Topic: "t", Key: "k", Payload: []byte(fmt.Sprint(n, i))}); err != nil {
							return err
						}
					}
					return nil
				})
				must(t, err)
				return proxy.Turns() - before
			}
			// The first use of a statement on a connection prepares it:
			// one round trip more, once.
			for _, messages := range []int{0, 1, 501} {
				roundTrips(messages, false)
			}
			roundTrips(0, true)
			base, second, with := roundTrips(0, false), roundTrips(0, true), roundTrips(1, false)
			if with != second-1 {
				t.Errorf("insert and Add: %d round trips, insert and a second INSERT %d: want one less", with, second)
			}
			if name == "default" && with != base {
				t.Errorf("insert and Add: %d round trips, the insert alone %d: want as many", with, base)
			}
			if many := roundTrips(501, false); name == "default" && many != base {
				t.Errorf("insert and 501 messages: %d round trips, the insert alone %d: want as many", many, base)
			}
			if got := len(stored(t, db, table)); got != 2*(1+501) {
				t.Fatalf("%d messages stored, want %d", got, 2*(1+501))
			}
		})
	}
}

// TestAddFailingAtCommit: a message whose statement fails when it goes
// with the COMMIT (a CHECK refuses its topic) fails Run with the server's
// error, as a failed commit; nothing of the transaction is stored, and the
// connection serves the next transaction.
func TestAddFailingAtCommit(t *testing.T) {
	db, _ := throughProxy(t, nil)
	ctx, opts := setup(t, db)
	store := outbox.New(opts...)
	table := tableOf(opts)
	must(t, db.Exec("ALTER TABLE "+table+" ADD CONSTRAINT no_poison CHECK (topic <> 'poison')").Error)
	add := func(effect, topic string) error {
		return txctx.Run(ctx, func(ctx context.Context) error {
			if err := txctx.DB(ctx).Exec("INSERT INTO "+table+"_effects (id, n) VALUES (?, 1)", effect).Error; err != nil {
				return err
			}
			return store.Add(ctx, outbox.Message{ID: effect, Topic: topic, Key: "k", Payload: []byte("{}")})
		})
	}
	must(t, add("a", "t"))
	err := add("b", "poison")
	var pg *pgconn.PgError
	if !errors.Is(err, txctx.ErrCommit) || !errors.Is(err, gorm.ErrCheckConstraintViolated) || !errors.As(err, &pg) || pg.Code != "23514" {
		t.Fatalf("Run with a message its table refuses: %v; want ErrCommit wrapping the check violation", err)
	}
	must(t, add("c", "t"))
	var effects []string
	must(t, db.Raw("SELECT id FROM "+table+"_effects ORDER BY id").Scan(&effects).Error)
	if !slices.Equal(effects, []string{"a", "c"}) {
		t.Errorf("effects stored: %v, want [a c]", effects)
	}
	if got := stored(t, db, table); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("messages stored: %v, want [a c]", got)
	}
}

// TestAddSeenByALaterFlush: a BeforeCommit flush registered after Add runs
// after the messages' statement, held for the COMMIT, and sees its rows.
func TestAddSeenByALaterFlush(t *testing.T) {
	db, _ := throughProxy(t, nil)
	ctx, opts := setup(t, db)
	store := outbox.New(opts...)
	table := tableOf(opts)
	var seen int64 = -1
	must(t, txctx.Run(ctx, func(ctx context.Context) error {
		if err := store.Add(ctx, outbox.Message{Topic: "t", Key: "k", Payload: []byte("{}")}); err != nil {
			return err
		}
		type later struct{}
		return txctx.BeforeCommit(ctx, later{}, 0, func(ctx context.Context, _ []int) error {
			return txctx.DB(ctx).Raw("SELECT count(*) FROM " + table).Scan(&seen).Error
		})
	}))
	if seen != 1 {
		t.Fatalf("a flush after Add counted %d messages, want 1", seen)
	}
}

// TestAddCancelledWhileWaitingForItsKey: the caller's context ends while
// the messages' statement, sent with the COMMIT, waits for the key lock of
// an earlier transaction: the server cancels it and skips the COMMIT, Run
// returns the context's error, and nothing of the transaction is stored.
func TestAddCancelledWhileWaitingForItsKey(t *testing.T) {
	db, _ := throughProxy(t, func(c *database.Config) { c.PoolSize = 2 })
	ctx, opts := setup(t, db)
	store := outbox.New(opts...)
	table := tableOf(opts)
	written, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- txctx.Run(ctx, func(ctx context.Context) error {
			if err := store.Add(ctx, outbox.Message{ID: "first", Topic: "t", Key: "k", Payload: []byte("{}")}); err != nil {
				return err
			}
			return txctx.BeforeCommit(ctx, "hold", 0, func(ctx context.Context, _ []int) error {
				if err := txctx.DB(ctx).Exec("SELECT 1").Error; err != nil { // sends the message: k is locked
					return err
				}
				close(written)
				<-release
				return nil
			})
		})
	}()
	<-written
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	second := make(chan error, 1)
	go func() {
		second <- txctx.Run(cctx, func(ctx context.Context) error {
			if err := txctx.DB(ctx).Exec("INSERT INTO " + table + "_effects (id, n) VALUES ('second', 1)").Error; err != nil {
				return err
			}
			return store.Add(ctx, outbox.Message{ID: "second", Topic: "t", Key: "k", Payload: []byte("{}")})
		})
	}()
	waitForKey(t, table)
	cancel()
	err := <-second
	close(release)
	must(t, <-first)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run cancelled while its message waited for the key: %v, want context.Canceled", err)
	}
	var effects int64
	must(t, db.Raw("SELECT count(*) FROM "+table+"_effects").Scan(&effects).Error)
	if got := stored(t, db, table); effects != 0 || !slices.Equal(got, []string{"first"}) {
		t.Fatalf("stored %d effects and messages %v; want none and [first]", effects, got)
	}
}

// TestAddConnectionLostDuringCommit: the connection goes while the
// messages' statement, sent with the COMMIT, waits for its key. The
// server may still run both once the key is free, so, as for any COMMIT
// whose answer was lost, Run reports txctx.ErrCommit: the outcome is in
// doubt, and whatever it is, the transaction's row and message are both
// stored or both not. The pool then serves new transactions.
func TestAddConnectionLostDuringCommit(t *testing.T) {
	db, proxy := throughProxy(t, func(c *database.Config) { c.PoolSize = 2 })
	ctx, opts := setup(t, db)
	store := outbox.New(opts...)
	table := tableOf(opts)
	run := func(ctx context.Context, id string, hold func(context.Context) error) error {
		return txctx.Run(ctx, func(ctx context.Context) error {
			if err := txctx.DB(ctx).Exec("INSERT INTO "+table+"_effects (id, n) VALUES (?, 1)", id).Error; err != nil {
				return err
			}
			if err := store.Add(ctx, outbox.Message{ID: id, Topic: "t", Key: "k", Payload: []byte("{}")}); err != nil {
				return err
			}
			if hold == nil {
				return nil
			}
			return txctx.BeforeCommit(ctx, "hold", 0, func(ctx context.Context, _ []int) error { return hold(ctx) })
		})
	}
	written, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- run(ctx, "first", func(ctx context.Context) error {
			if err := txctx.DB(ctx).Exec("SELECT 1").Error; err != nil { // sends the message: k is locked
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	second := make(chan error, 1)
	go func() { second <- run(ctx, "second", nil) }()
	waitForKey(t, table) // the second's COMMIT waits for k
	proxy.Cut(t)
	err := <-second
	close(release)
	<-first // its connection went too
	if !errors.Is(err, txctx.ErrCommit) {
		t.Fatalf("Run whose connection went during its COMMIT: %v, want txctx.ErrCommit", err)
	}
	proxy.Restore(t)
	// A new transaction of key k waits for whatever still holds it.
	must(t, run(ctx, "third", nil))
	var effects []string
	must(t, db.Raw("SELECT id FROM "+table+"_effects ORDER BY id").Scan(&effects).Error)
	messages := stored(t, db, table)
	slices.Sort(messages)
	if !slices.Equal(effects, messages) || !slices.Contains(messages, "third") {
		t.Fatalf("effects %v and messages %v: want the same transactions, third among them", effects, messages)
	}
}

// waitForKey returns once a statement writing into table waits for an
// advisory lock, as seen from a connection of its own.
func waitForKey(t *testing.T, table string) {
	t.Helper()
	other, err := sql.Open("pgx", testdb.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		err := other.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%INSERT INTO ' || $1 || ' %'", table).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
	}
	t.Fatal("no statement waits for its key")
}
