package amqp_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/gormext/gormext/internal/cutproxy"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
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

// startConsumer runs Consume on queue; each message goes to c.msgs, then
// h's result (nil h: success) decides ack or nack.
func startConsumer(t *testing.T, cfg amqp.Config, queue string, h outbox.Handler) *consumer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &consumer{cancel: cancel, done: make(chan error, 1), msgs: make(chan outbox.Message, 100)}
	cfg.OnError = func(err error) {
		c.mu.Lock()
		c.errs = append(c.errs, err)
		c.mu.Unlock()
	}
	if cfg.ReconnectDelay == 0 {
		cfg.ReconnectDelay = 20 * time.Millisecond
	}
	go func() {
		c.done <- amqp.Consume(ctx, cfg, queue, func(ctx context.Context, m outbox.Message) error {
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

// stop cancels Consume and waits for it; Consume must return nil.
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

func TestConsumeBuildsTheMessageAndAcks(t *testing.T) {
	top := newTopology(t)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	top.publishRaw(t, amqp091.Publishing{
		MessageId: "id-1",
		Timestamp: created,
		Headers:   amqp091.Table{amqp.KeyHeader: "order-9", "trace": "abc", "attempt": int32(2)},
		Body:      []byte("hello"),
	})
	c := startConsumer(t, amqp.Config{URL: top.url}, top.queue, nil)
	m := c.next(t)
	c.stop(t)
	if m.ID != "id-1" || m.Topic != top.queue || m.Key != "order-9" || string(m.Payload) != "hello" || !m.CreatedAt.Equal(created) {
		t.Fatalf("message = %+v", m)
	}
	if len(m.Headers) != 2 || m.Headers["trace"] != "abc" || m.Headers["attempt"] != "2" {
		t.Fatalf("headers = %v, want trace=abc attempt=2 (the key header moved to Key)", m.Headers)
	}
	if n := top.count(t); n != 0 {
		t.Fatalf("queue holds %d after the handler succeeded, want 0 (acked)", n)
	}
}

func TestConsumeRequeuesOnErrorAndPanic(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		fail    func() error
		wantErr error
	}{
		{"error", func() error { return boom }, boom},
		{"panic", func() error { panic("kaboom") }, amqp.ErrHandlerPanic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := newTopology(t)
			top.publishRaw(t, amqp091.Publishing{MessageId: "id-1", Body: []byte("x")})
			var calls int
			c := startConsumer(t, amqp.Config{URL: top.url}, top.queue, func(context.Context, outbox.Message) error {
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
			if n := top.count(t); n != 0 {
				t.Fatalf("queue holds %d after the retry succeeded, want 0", n)
			}
		})
	}
}

func TestConsumeReconnectsAfterTheConnectionDrops(t *testing.T) {
	top := newTopology(t)
	proxy := cutproxy.Start(t, brokerAddr(t, top.url))
	c := startConsumer(t, amqp.Config{URL: viaProxy(t, top.url, proxy.Addr())}, top.queue, nil)
	top.publishRaw(t, amqp091.Publishing{MessageId: "before"})
	if m := c.next(t); m.ID != "before" {
		t.Fatalf("got %q, want before", m.ID)
	}

	proxy.Cut(t)
	top.publishRaw(t, amqp091.Publishing{MessageId: "during"})
	proxy.Restore(t)
	// "before" may come again: its ack may not have reached the broker
	// before the cut (at least once).
	m := c.next(t)
	for m.ID == "before" {
		m = c.next(t)
	}
	if m.ID != "during" {
		t.Fatalf("after the cut got %q, want during", m.ID)
	}
	top.publishRaw(t, amqp091.Publishing{MessageId: "after"})
	if m := c.next(t); m.ID != "after" {
		t.Fatalf("got %q, want after", m.ID)
	}
	c.stop(t)
	var ce *amqp.ConnError
	if errs := c.errors(); len(errs) == 0 || !errors.As(errs[0], &ce) {
		t.Fatalf("OnError got %v, want the lost connection first", errs)
	}
}

func TestConsumeAMissingQueueIsAnError(t *testing.T) {
	u := brokerURL(t)
	err := amqp.Consume(testContext(t), amqp.Config{URL: u}, uniqueName("gormext-q-missing"), func(context.Context, outbox.Message) error { return nil })
	var ae *amqp091.Error
	if !errors.As(err, &ae) || ae.Code != amqp091.NotFound {
		t.Fatalf("Consume on a missing queue = %v, want a 404 *amqp091.Error", err)
	}
}

func TestConsumeRejectsABadCall(t *testing.T) {
	h := func(context.Context, outbox.Message) error { return nil }
	for name, call := range map[string]func() error{
		"no queue":   func() error { return amqp.Consume(t.Context(), amqp.Config{URL: "amqp://127.0.0.1:1/"}, "", h) },
		"no handler": func() error { return amqp.Consume(t.Context(), amqp.Config{URL: "amqp://127.0.0.1:1/"}, "q", nil) },
	} {
		if err := call(); !errors.Is(err, amqp.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}
