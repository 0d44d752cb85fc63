package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// effect is what the handlers of these tests do: count the message in the
// effects table, in the handler's transaction.
func effect(table string) outbox.Handler {
	return func(ctx context.Context, m outbox.Message) error {
		db := txctx.DB(ctx)
		res := db.Exec("UPDATE "+table+"_effects SET n = n + 1 WHERE id = ?", m.ID)
		if res.Error == nil && res.RowsAffected == 0 {
			return db.Exec("INSERT INTO "+table+"_effects (id, n) VALUES (?, 1)", m.ID).Error
		}
		return res.Error
	}
}

// effects reads how often each message's effect happened.
func effects(t testing.TB, db *gorm.DB, table string) map[string]int {
	t.Helper()
	var rows []struct {
		ID string
		N  int
	}
	must(t, db.Raw("SELECT id, n FROM "+table+"_effects").Scan(&rows).Error)
	out := map[string]int{}
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out
}

func TestTransactionalCommitsOrRollsBackAndReturnsErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		_, opts := setup(t, db)
		table := tableOf(opts)
		do := effect(table)
		s := outbox.New(opts...)
		h := outbox.Transactional(db, func(ctx context.Context, m outbox.Message) error {
			must(t, do(ctx, m))
			must(t, s.Add(ctx, outbox.Message{ID: "reply-" + m.ID, Topic: "replies"}))
			switch string(m.Payload) {
			case "fail":
				return errBoom
			case "panic":
				panic("handler bug")
			}
			return nil
		})
		ctx := context.Background()
		must(t, h(ctx, outbox.Message{ID: "ok"}))
		if err := h(ctx, outbox.Message{ID: "failed", Payload: []byte("fail")}); !errors.Is(err, errBoom) {
			t.Errorf("failing handler = %v, want its error", err)
		}
		if err := h(ctx, outbox.Message{ID: "panicked", Payload: []byte("panic")}); !errors.Is(err, outbox.ErrHandlerPanic) {
			t.Errorf("panicking handler = %v, want ErrHandlerPanic", err)
		}
		if got := effects(t, db, table); len(got) != 1 || got["ok"] != 1 {
			t.Errorf("effects %v, want only ok's", got)
		}
		if got := stored(t, db, table); len(got) != 1 || got[0] != "reply-ok" {
			t.Errorf("outbox holds %q, want only reply-ok", got)
		}
	})
}

func TestTransactionalJobRetriesSerializationFailures(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		_, opts := setup(t, db)
		table := tableOf(opts)
		attempts := 0
		s := outbox.New(opts...)
		job := outbox.TransactionalJob(db, func(ctx context.Context) error {
			attempts++
			must(t, effect(table)(ctx, outbox.Message{ID: fmt.Sprint("attempt-", attempts)}))
			must(t, s.Add(ctx, outbox.Message{ID: fmt.Sprint("attempt-", attempts), Topic: "jobs"}))
			if attempts == 1 {
				return &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
			}
			return nil
		}, outbox.WithTxOptions(txctx.WithRetryBackoff(1, 1)))
		must(t, job(context.Background()))
		if got := effects(t, db, table); attempts != 2 || len(got) != 1 || got["attempt-2"] != 1 {
			t.Errorf("%d attempts, effects %v: want the second attempt's alone", attempts, got)
		}
		if got := stored(t, db, table); len(got) != 1 || got[0] != "attempt-2" {
			t.Errorf("outbox holds %q, want the second attempt's message alone", got)
		}
	})
}

func TestIdempotentHandlesEachMessageOnce(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		_, opts := setup(t, db)
		table := tableOf(opts)
		failOnce := true
		do := effect(table)
		h := outbox.Idempotent(db, func(ctx context.Context, m outbox.Message) error {
			if err := do(ctx, m); err != nil {
				return err
			}
			if m.ID == "flaky" && failOnce {
				failOnce = false
				return errBoom
			}
			return nil
		}, opts...)
		ctx := context.Background()
		for range 3 {
			must(t, h(ctx, outbox.Message{ID: "m1"}))
		}
		if err := h(ctx, outbox.Message{ID: "flaky"}); !errors.Is(err, errBoom) {
			t.Fatalf("first delivery of flaky = %v, want errBoom", err)
		}
		must(t, h(ctx, outbox.Message{ID: "flaky"}))
		must(t, h(ctx, outbox.Message{ID: "flaky"}))
		if err := h(ctx, outbox.Message{}); !errors.Is(err, outbox.ErrNoMessageID) {
			t.Errorf("message without ID = %v, want ErrNoMessageID", err)
		}
		if got := effects(t, db, table); len(got) != 2 || got["m1"] != 1 || got["flaky"] != 1 {
			t.Errorf("effects %v, want m1 and flaky once each", got)
		}
	})
}

// Deliveries of one message racing each other: its effect happens once.
func TestIdempotentConcurrentRedeliveries(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("PostgreSQL: concurrent transactions")
	}
	db := testdb.Open(t, testdb.Postgres)
	_, opts := setup(t, db)
	table := tableOf(opts)
	h := outbox.Idempotent(db, effect(table), opts...)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if err := h(context.Background(), outbox.Message{ID: fmt.Sprint("m", i%2)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := effects(t, db, table); len(got) != 2 || got["m0"] != 1 || got["m1"] != 1 {
		t.Errorf("effects %v, want m0 and m1 once each", got)
	}
}
