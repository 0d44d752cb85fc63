package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

var errBoom = errors.New("boom")

func msg(id, key string) outbox.Message {
	return outbox.Message{ID: id, Topic: "orders.created", Key: key, Payload: []byte(id)}
}

func TestAddStoresOnlyWhatCommits(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		s := outbox.New(opts...)
		must(t, txctx.Run(ctx, func(ctx context.Context) error {
			must(t, s.Add(ctx, msg("a", "k")))
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				must(t, s.Add(ctx, msg("savepoint-released", "k")))
				return nil
			})
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				must(t, s.Add(ctx, msg("savepoint-rolled-back", "k")))
				return errBoom
			})
			if got := stored(t, db, tableOf(opts)); len(got) != 0 {
				t.Errorf("stored before COMMIT: %q", got)
			}
			return s.Add(ctx, msg("b", ""))
		}))
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			must(t, s.Add(ctx, msg("rolled-back", "k")))
			return errBoom
		})
		want := []string{"a", "savepoint-released", "b"}
		if got := stored(t, db, tableOf(opts)); !slices.Equal(got, want) {
			t.Errorf("stored %q, want %q", got, want)
		}
	})
}

func TestAddOutsideTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		if err := outbox.New(opts...).Add(ctx, msg("a", "")); !errors.Is(err, outbox.ErrNoTransaction) {
			t.Fatalf("Add outside a transaction = %v, want ErrNoTransaction", err)
		}
		if got := stored(t, db, tableOf(opts)); len(got) != 0 {
			t.Errorf("stored %q", got)
		}
	})
}

func TestAddRefusesHostileInput(t *testing.T) {
	big := strings.Repeat("x", outbox.MaxHeadersSize)
	cases := []struct {
		name string
		msg  outbox.Message
		want error
	}{
		{"empty topic", outbox.Message{}, outbox.ErrInvalidTopic},
		{"topic with a space", outbox.Message{Topic: "a b"}, outbox.ErrInvalidTopic},
		{"topic with a newline", outbox.Message{Topic: "a\nb"}, outbox.ErrInvalidTopic},
		{"topic not UTF-8", outbox.Message{Topic: "a\xffb"}, outbox.ErrInvalidTopic},
		{"topic too long", outbox.Message{Topic: strings.Repeat("t", outbox.MaxTopicLen+1)}, outbox.ErrInvalidTopic},
		{"key not UTF-8", outbox.Message{Topic: "t", Key: "\xc3\x28"}, outbox.ErrInvalidKey},
		{"key with NUL", outbox.Message{Topic: "t", Key: "a\x00b"}, outbox.ErrInvalidKey},
		{"key too long", outbox.Message{Topic: "t", Key: strings.Repeat("k", outbox.MaxKeyLen+1)}, outbox.ErrInvalidKey},
		{"ID not UTF-8", outbox.Message{Topic: "t", ID: "\xff"}, outbox.ErrInvalidKey},
		{"payload too large", outbox.Message{Topic: "t", Payload: make([]byte, 1025)}, outbox.ErrPayloadTooLarge},
		{"empty header name", outbox.Message{Topic: "t", Headers: map[string]string{"": "v"}}, outbox.ErrInvalidHeader},
		{"header value not UTF-8", outbox.Message{Topic: "t", Headers: map[string]string{"h": "\xff"}}, outbox.ErrInvalidHeader},
		{"header with NUL", outbox.Message{Topic: "t", Headers: map[string]string{"h": "\x00"}}, outbox.ErrInvalidHeader},
		{"headers too large", outbox.Message{Topic: "t", Headers: map[string]string{"h": big}}, outbox.ErrInvalidHeader},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		s := outbox.New(append(opts, outbox.WithMaxPayload(1024))...)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var addErr error
				err := txctx.Run(ctx, func(ctx context.Context) error {
					addErr = s.Add(ctx, tc.msg)
					return nil
				})
				must(t, err)
				if !errors.Is(addErr, tc.want) {
					t.Errorf("Add = %v, want %v", addErr, tc.want)
				}
			})
		}
		if got := stored(t, db, tableOf(opts)); len(got) != 0 {
			t.Errorf("stored %q", got)
		}
	})
}

func TestInvalidTableName(t *testing.T) {
	for _, name := range []string{"", "a;drop table x", "1abc", "a b", `a"b`, "a.b.c"} {
		if _, err := outbox.Schema("postgres", outbox.WithTable(name)); !errors.Is(err, outbox.ErrInvalidTable) {
			t.Errorf("Schema(table %q) = %v, want ErrInvalidTable", name, err)
		}
	}
}

// A test's transaction (package txtest) sees the messages added in it.
func TestAddUnderTxtest(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		_, opts := setup(t, db)
		s := outbox.New(opts...)
		ctx := txtest.Context(t, db)
		must(t, s.Add(ctx, msg("direct", "k")))
		must(t, txctx.Run(ctx, func(ctx context.Context) error { return s.Add(ctx, msg("in-run", "k")) }))
		var ids []string
		must(t, txctx.DB(ctx).Raw("SELECT id FROM "+tableOf(opts)+" ORDER BY seq").Scan(&ids).Error)
		if !slices.Equal(ids, []string{"direct", "in-run"}) {
			t.Errorf("the test transaction sees %q", ids)
		}
	})
}

// A transaction with more messages than one statement takes: all stored,
// published in the order added.
func TestAddManyMessages(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, opts := setup(t, db)
		s := outbox.New(opts...)
		var want []string
		must(t, txctx.Run(ctx, func(ctx context.Context) error {
			for i := range 1203 {
				id := fmt.Sprintf("m%04d", i)
				want = append(want, id)
				if err := s.Add(ctx, msg(id, fmt.Sprint("k", i%7))); err != nil {
					return err
				}
			}
			return nil
		}))
		if got := stored(t, db, tableOf(opts)); !slices.Equal(got, want) {
			t.Fatalf("stored %d messages, want %d in order", len(got), len(want))
		}
	})
}

func TestNewRelayWithoutDatabaseOrPublisher(t *testing.T) {
	if _, err := outbox.NewRelay(nil, &outbox.MemoryPublisher{}).RunOnce(context.Background()); err == nil {
		t.Error("RunOnce without a database: no error")
	}
	if err := outbox.NewRelay(nil, nil).Run(context.Background()); err == nil {
		t.Error("Run without a publisher: no error")
	}
}
