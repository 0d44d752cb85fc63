package nats_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gormext/gormext/internal/cutproxy"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/nats"
)

func msgs(subject string, ids ...string) []outbox.Message {
	out := make([]outbox.Message, len(ids))
	for i, id := range ids {
		out[i] = outbox.Message{ID: id, Topic: subject, Payload: []byte("payload " + id)}
	}
	return out
}

func newPublisher(t *testing.T, nc *natsgo.Conn, cfg nats.PublisherConfig) *nats.Publisher {
	t.Helper()
	pub, err := nats.NewPublisher(nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestPublishCarriesTheMessageInOrder(t *testing.T) {
	s := newStream(t)
	pub := newPublisher(t, s.nc, nats.PublisherConfig{})
	created := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	batch := []outbox.Message{
		{ID: "m-1", Topic: s.subject("orders"), Key: "order-7", Payload: []byte(`{"n":1}`), Headers: map[string]string{"Trace": "abc"}, CreatedAt: created},
		{ID: "m-2", Topic: s.subject("orders"), Payload: []byte(`{"n":2}`)},
		{ID: "m-3", Topic: s.subject("invoices"), Payload: []byte(`{"n":3}`)},
	}
	if n, err := pub.Publish(testContext(t), batch); n != 3 || err != nil {
		t.Fatalf("Publish = %d, %v; want 3, nil", n, err)
	}
	got := s.stored(t)
	if len(got) != 3 {
		t.Fatalf("stream holds %d messages, want 3", len(got))
	}
	for i, m := range got {
		want := batch[i]
		if m.Header.Get(jetstream.MsgIDHeader) != want.ID || m.Subject != want.Topic || string(m.Data) != string(want.Payload) || m.Header.Get(nats.KeyHeader) != want.Key {
			t.Errorf("message %d: id %q subject %q data %q key %q; want %+v", i, m.Header.Get(jetstream.MsgIDHeader), m.Subject, m.Data, m.Header.Get(nats.KeyHeader), want)
		}
	}
	if got[0].Header.Get("Trace") != "abc" || got[0].Header.Get(nats.CreatedAtHeader) != "2026-03-04T05:06:07.00000089Z" {
		t.Errorf("headers %v", got[0].Header)
	}
}

func TestPublishTheSameIDTwiceStoresItOnce(t *testing.T) {
	s := newStream(t)
	pub := newPublisher(t, s.nc, nats.PublisherConfig{})
	ctx := testContext(t)
	for i := range 2 { // a relay publishing again after a crash
		if n, err := pub.Publish(ctx, msgs(s.subject("orders"), "a", "b")); n != 2 || err != nil {
			t.Fatalf("round %d: Publish = %d, %v; want 2, nil", i, n, err)
		}
	}
	if got := len(s.stored(t)); got != 2 {
		t.Fatalf("stream holds %d messages, want 2 (duplicates dropped)", got)
	}
}

func TestPublishToASubjectNoStreamTakes(t *testing.T) {
	for _, tc := range []struct {
		inFlight   int
		wantStored int
	}{
		{inFlight: 1, wantStored: 1}, // one by one: nothing after the failure is sent
		{inFlight: 0, wantStored: 2}, // whole batch in flight: the third got there too
	} {
		t.Run(fmt.Sprintf("in flight %d", tc.inFlight), func(t *testing.T) {
			s := newStream(t)
			pub := newPublisher(t, s.nc, nats.PublisherConfig{InFlight: tc.inFlight})
			batch := append(msgs(s.subject("a"), "a"), append(msgs(uniqueName("nowhere"), "b"), msgs(s.subject("c"), "c")...)...)
			n, err := pub.Publish(testContext(t), batch)
			var pe *nats.PublishError
			if n != 1 || !errors.As(err, &pe) || pe.ID != "b" {
				t.Fatalf("Publish = %d, %v; want 1 and a *PublishError for b", n, err)
			}
			if !errors.Is(err, jetstream.ErrNoStreamResponse) {
				t.Fatalf("%v does not match jetstream.ErrNoStreamResponse", err)
			}
			if got := len(s.stored(t)); got != tc.wantStored {
				t.Fatalf("stream holds %d, want %d", got, tc.wantStored)
			}
		})
	}
}

func TestPublishFailsDuringAnOutageAndWorksAfter(t *testing.T) {
	s := newStream(t)
	proxy := cutproxy.Start(t, serverAddr(t, s.url))
	nc, err := nats.Connect("nats://"+proxy.Addr(), natsgo.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	pub := newPublisher(t, nc, nats.PublisherConfig{AckTimeout: time.Second})
	ctx := testContext(t)
	if n, err := pub.Publish(ctx, msgs(s.subject("o"), "before")); n != 1 || err != nil {
		t.Fatalf("before the cut: %d, %v", n, err)
	}

	proxy.Cut(t)
	if n, err := pub.Publish(ctx, msgs(s.subject("o"), "during")); n != 0 || err == nil {
		t.Fatalf("during the cut: %d, %v; want 0 and an error", n, err)
	}

	proxy.Restore(t)
	waitConnected(t, nc)
	if n, err := pub.Publish(ctx, msgs(s.subject("o"), "after")); n != 1 || err != nil {
		t.Fatalf("after the cut: %d, %v; want 1, nil", n, err)
	}
	var ids []string
	for _, m := range s.stored(t) {
		ids = append(ids, m.Header.Get(jetstream.MsgIDHeader))
	}
	if fmt.Sprint(ids) != "[before after]" {
		t.Fatalf("stream holds %v, want [before after]", ids)
	}
}

// waitConnected waits until nc reconnected.
func waitConnected(t *testing.T, nc *natsgo.Conn) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !nc.IsConnected() {
		if time.Now().After(deadline) {
			t.Fatalf("no reconnect: status %v", nc.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPublishWithACancelledContext(t *testing.T) {
	s := newStream(t)
	pub := newPublisher(t, s.nc, nats.PublisherConfig{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if n, err := pub.Publish(ctx, msgs(s.subject("o"), "a")); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish = %d, %v; want 0, context.Canceled", n, err)
	}
	if got := len(s.stored(t)); got != 0 {
		t.Fatalf("stream holds %d, want 0", got)
	}
}

func TestNewPublisherWithoutAConnection(t *testing.T) {
	if _, err := nats.NewPublisher(nil, nats.PublisherConfig{}); !errors.Is(err, nats.ErrInvalidConfig) {
		t.Fatalf("NewPublisher(nil) = %v, want ErrInvalidConfig", err)
	}
}

func TestPublishALargeBatch(t *testing.T) {
	s := newStream(t)
	pub := newPublisher(t, s.nc, nats.PublisherConfig{})
	batch := make([]outbox.Message, 5000) // many windows of MaxInFlight
	for i := range batch {
		batch[i] = outbox.Message{ID: fmt.Sprint(i), Topic: s.subject("big"), Payload: []byte("x")}
	}
	if n, err := pub.Publish(testContext(t), batch); n != len(batch) || err != nil {
		t.Fatalf("Publish = %d, %v; want %d, nil", n, err, len(batch))
	}
	info, err := s.s.Info(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != uint64(len(batch)) {
		t.Fatalf("stream holds %d, want %d", info.State.Msgs, len(batch))
	}
}
