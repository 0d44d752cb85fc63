package nats_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gormext/gormext/internal/cutproxy"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/nats"
)

// consumer runs Consume in the background and collects what it hands the
// handler and reports to OnError.
type consumer struct {
	cancel context.CancelFunc
	done   chan error
	msgs   chan outbox.Message
	mu     sync.Mutex
	errs   []error
}

// startConsumer runs Consume; each message goes to c.msgs, then h's result
// (nil h: success) decides ack or nak.
func startConsumer(t *testing.T, nc *natsgo.Conn, cfg nats.ConsumerConfig, h outbox.Handler) *consumer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &consumer{cancel: cancel, done: make(chan error, 1), msgs: make(chan outbox.Message, 100)}
	cfg.OnError = func(err error) {
		c.mu.Lock()
		c.errs = append(c.errs, err)
		c.mu.Unlock()
	}
	go func() {
		c.done <- nats.Consume(ctx, nc, cfg, func(ctx context.Context, m outbox.Message) error {
			c.msgs <- m
			if h == nil {
				return nil
			}
			return h(ctx, m)
		})
	}()
	t.Cleanup(func() { c.stop(t) })
	return c
}

func (c *consumer) stop(t *testing.T) {
	t.Helper()
	if c.cancel == nil {
		return
	}
	c.cancel()
	c.cancel = nil
	if err := <-c.done; err != nil {
		t.Errorf("Consume after cancel = %v, want nil", err)
	}
}

func (c *consumer) next(t *testing.T) outbox.Message {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no message reached the handler")
		return outbox.Message{}
	}
}

func (c *consumer) errors() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.errs...)
}

// pending is how many messages the durable consumer has not had acked.
func (s *stream) pending(t *testing.T, durable string) (unacked, undelivered uint64) {
	t.Helper()
	cons, err := s.js.Consumer(testContext(t), s.name, durable)
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	return uint64(info.NumAckPending), info.NumPending
}

func TestConsumeBuildsTheMessageAndAcks(t *testing.T) {
	s := newStream(t)
	m := natsgo.NewMsg(s.subject("orders"))
	m.Data = []byte("hello")
	m.Header.Set(jetstream.MsgIDHeader, "id-1")
	m.Header.Set(nats.KeyHeader, "order-9")
	m.Header.Set(nats.CreatedAtHeader, "2026-01-02T03:04:05.000000006Z")
	m.Header.Set("Trace", "abc")
	s.publishRaw(t, m)

	c := startConsumer(t, s.nc, nats.ConsumerConfig{Stream: s.name, Durable: "d1"}, nil)
	got := c.next(t)
	c.stop(t)
	want := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	if got.ID != "id-1" || got.Topic != s.subject("orders") || got.Key != "order-9" || string(got.Payload) != "hello" || !got.CreatedAt.Equal(want) {
		t.Fatalf("message = %+v", got)
	}
	if len(got.Headers) != 1 || got.Headers["Trace"] != "abc" {
		t.Fatalf("headers = %v, want Trace=abc only", got.Headers)
	}
	if unacked, undelivered := s.pending(t, "d1"); unacked != 0 || undelivered != 0 {
		t.Fatalf("consumer has %d unacked, %d undelivered; want 0, 0", unacked, undelivered)
	}
}

func TestConsumeRedeliversOnErrorAndPanic(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		fail    func() error
		wantErr error
	}{
		{"error", func() error { return boom }, boom},
		{"panic", func() error { panic("kaboom") }, nats.ErrHandlerPanic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStream(t)
			pub := newPublisher(t, s.nc, nats.PublisherConfig{})
			if _, err := pub.Publish(testContext(t), msgs(s.subject("o"), "id-1")); err != nil {
				t.Fatal(err)
			}
			var calls int
			c := startConsumer(t, s.nc, nats.ConsumerConfig{Stream: s.name, Durable: "d1"}, func(context.Context, outbox.Message) error {
				calls++
				if calls == 1 {
					return tc.fail()
				}
				return nil
			})
			first, second := c.next(t), c.next(t)
			c.stop(t)
			if first.ID != "id-1" || second.ID != "id-1" {
				t.Fatalf("deliveries %q, %q; want id-1 twice", first.ID, second.ID)
			}
			errs := c.errors()
			if len(errs) != 1 || !errors.Is(errs[0], tc.wantErr) {
				t.Fatalf("OnError got %v, want one error matching %v", errs, tc.wantErr)
			}
			if unacked, undelivered := s.pending(t, "d1"); unacked != 0 || undelivered != 0 {
				t.Fatalf("consumer has %d unacked, %d undelivered; want 0, 0", unacked, undelivered)
			}
		})
	}
}

func TestConsumeGoesOnAfterTheConnectionDrops(t *testing.T) {
	s := newStream(t)
	proxy := cutproxy.Start(t, serverAddr(t, s.url))
	nc, err := nats.Connect("nats://"+proxy.Addr(), natsgo.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := startConsumer(t, nc, nats.ConsumerConfig{Stream: s.name, Durable: "d1", AckWait: time.Second}, nil)
	pub := newPublisher(t, s.nc, nats.PublisherConfig{})
	if _, err := pub.Publish(testContext(t), msgs(s.subject("o"), "before")); err != nil {
		t.Fatal(err)
	}
	if m := c.next(t); m.ID != "before" {
		t.Fatalf("got %q, want before", m.ID)
	}

	proxy.Cut(t)
	if _, err := pub.Publish(testContext(t), msgs(s.subject("o"), "during")); err != nil {
		t.Fatal(err)
	}
	proxy.Restore(t)
	// "before" may come again: its ack may have been lost in the cut.
	m := c.next(t)
	for m.ID == "before" {
		m = c.next(t)
	}
	if m.ID != "during" {
		t.Fatalf("after the cut got %q, want during", m.ID)
	}
	c.stop(t)
}

func TestConsumeOnAMissingStreamIsAnError(t *testing.T) {
	s := newStream(t)
	err := nats.Consume(testContext(t), s.nc, nats.ConsumerConfig{Stream: uniqueName("MISSING"), Durable: "d1"}, func(context.Context, outbox.Message) error { return nil })
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("Consume on a missing stream = %v, want jetstream.ErrStreamNotFound", err)
	}
}

func TestConsumeRejectsABadCall(t *testing.T) {
	h := func(context.Context, outbox.Message) error { return nil }
	nc := &natsgo.Conn{} // never used: the call is refused first
	for _, tc := range []struct {
		name string
		nc   *natsgo.Conn
		cfg  nats.ConsumerConfig
		h    outbox.Handler
	}{
		{"no connection", nil, nats.ConsumerConfig{Stream: "S", Durable: "d"}, h},
		{"no stream", nc, nats.ConsumerConfig{Durable: "d"}, h},
		{"no durable", nc, nats.ConsumerConfig{Stream: "S"}, h},
		{"no handler", nc, nats.ConsumerConfig{Stream: "S", Durable: "d"}, nil},
	} {
		if err := nats.Consume(t.Context(), tc.nc, tc.cfg, tc.h); !errors.Is(err, nats.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", tc.name, err)
		}
	}
}
