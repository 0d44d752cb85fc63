package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// FuzzAdd: whatever the topic, key, header and payload, Add either refuses
// with one of its sentinels and stores nothing, or stores the message and
// the relay publishes it unchanged.
func FuzzAdd(f *testing.F) {
	f.Add("orders.created", "k", "h", "v", []byte("{}"))
	f.Add("", "", "", "", []byte(nil))
	f.Add("a b", "\xff", "\x00", "v", []byte{0, 1, 2})
	f.Add("t", "k\x00", "h", "\xc3\x28", []byte("x"))
	f.Add("ünïcode.topic", "ключ", "名前", "値", []byte("\x00\xff"))
	db := testdb.Open(f, testdb.SQLite)
	ctx, opts := setup(f, db)
	s := outbox.New(append(opts, outbox.WithMaxPayload(64))...)
	sentinels := []error{outbox.ErrInvalidTopic, outbox.ErrInvalidKey, outbox.ErrPayloadTooLarge, outbox.ErrInvalidHeader}
	f.Fuzz(func(t *testing.T, topic, key, hname, hvalue string, payload []byte) {
		in := outbox.Message{Topic: topic, Key: key, Payload: payload, Headers: map[string]string{hname: hvalue}}
		var addErr error
		must(t, txctx.Run(ctx, func(ctx context.Context) error { addErr = s.Add(ctx, in); return nil }))
		var pub outbox.MemoryPublisher
		n, err := outbox.NewRelay(db, &pub, opts...).RunOnce(ctx)
		must(t, err)
		if addErr != nil {
			if !matchesOne(addErr, sentinels) || n != 0 {
				t.Fatalf("Add = %v (published %d): want a sentinel and nothing stored", addErr, n)
			}
			return
		}
		got := pub.Messages()
		if len(got) != 1 || got[0].Topic != topic || got[0].Key != key || !bytes.Equal(got[0].Payload, payload) ||
			len(got[0].Headers) != 1 || got[0].Headers[hname] != hvalue {
			t.Fatalf("published %+v, want %+v", got, in)
		}
	})
}

func matchesOne(err error, sentinels []error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
