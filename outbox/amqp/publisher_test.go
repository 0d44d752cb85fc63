package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/gormext/gormext/internal/cutproxy"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
)

func msgs(topic string, ids ...string) []outbox.Message {
	out := make([]outbox.Message, len(ids))
	for i, id := range ids {
		out[i] = outbox.Message{ID: id, Topic: topic, Payload: []byte("payload " + id)}
	}
	return out
}

func TestPublishCarriesTheMessageInOrder(t *testing.T) {
	top := newTopology(t)
	pub := amqp.NewPublisher(amqp.Config{URL: top.url, Exchange: top.exchange})
	defer pub.Close()
	created := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	batch := []outbox.Message{
		{ID: "m-1", Topic: top.key, Key: "order-7", Payload: []byte(`{"n":1}`), Headers: map[string]string{"trace": "abc"}, CreatedAt: created},
		{ID: "m-2", Topic: top.key, Payload: []byte(`{"n":2}`)},
		{ID: "m-3", Topic: top.key, Key: "order-7", Payload: nil},
	}
	n, err := pub.Publish(testContext(t), batch)
	if err != nil || n != 3 {
		t.Fatalf("Publish = %d, %v; want 3, nil", n, err)
	}
	got := top.drain(t)
	if len(got) != 3 {
		t.Fatalf("queue holds %d messages, want 3", len(got))
	}
	for i, d := range got {
		want := batch[i]
		if d.MessageId != want.ID || string(d.Body) != string(want.Payload) || d.RoutingKey != want.Topic || d.Exchange != top.exchange {
			t.Errorf("message %d: id %q body %q key %q exchange %q; want %q %q %q %q", i, d.MessageId, d.Body, d.RoutingKey, d.Exchange, want.ID, want.Payload, want.Topic, top.exchange)
		}
		if d.DeliveryMode != amqp091.Persistent {
			t.Errorf("message %d: delivery mode %d, want persistent", i, d.DeliveryMode)
		}
		if k, _ := d.Headers[amqp.KeyHeader].(string); k != want.Key {
			t.Errorf("message %d: key header %q, want %q", i, k, want.Key)
		}
	}
	if h, _ := got[0].Headers["trace"].(string); h != "abc" {
		t.Errorf("header trace = %q, want abc", h)
	}
	if !got[0].Timestamp.Equal(created) {
		t.Errorf("timestamp %v, want %v", got[0].Timestamp, created)
	}
}

func TestPublishUnroutableIsAFailure(t *testing.T) {
	for _, tc := range []struct {
		inFlight  int
		wantQueue int // messages that reached the queue
	}{
		{inFlight: 1, wantQueue: 1}, // one by one: nothing after the failure is sent
		{inFlight: 0, wantQueue: 2}, // whole batch in flight: the third got there too
	} {
		t.Run(fmt.Sprintf("in flight %d", tc.inFlight), func(t *testing.T) {
			top := newTopology(t)
			pub := amqp.NewPublisher(amqp.Config{URL: top.url, Exchange: top.exchange, InFlight: tc.inFlight})
			defer pub.Close()
			batch := append(msgs(top.key, "a"), append(msgs("nobody.listens", "b"), msgs(top.key, "c")...)...)
			n, err := pub.Publish(testContext(t), batch)
			if n != 1 || !errors.Is(err, amqp.ErrUnroutable) {
				t.Fatalf("Publish = %d, %v; want 1, ErrUnroutable", n, err)
			}
			var me *amqp.MessageError
			if !errors.As(err, &me) || me.ID != "b" || me.Topic != "nobody.listens" {
				t.Fatalf("error %v does not name message b", err)
			}
			if got := top.count(t); got != tc.wantQueue {
				t.Fatalf("queue holds %d, want %d", got, tc.wantQueue)
			}
			// The channel survives a return: the next publish goes through.
			if n, err := pub.Publish(testContext(t), msgs(top.key, "d")); n != 1 || err != nil {
				t.Fatalf("after a return: Publish = %d, %v", n, err)
			}
		})
	}
}

func TestPublishToAMissingExchangeFailsThenRecovers(t *testing.T) {
	top := newTopology(t)
	missing := uniqueName("gormext-x-missing")
	pub := amqp.NewPublisher(amqp.Config{URL: top.url, Exchange: missing})
	defer pub.Close()
	n, err := pub.Publish(testContext(t), msgs(top.key, "a"))
	var ae *amqp091.Error
	if n != 0 || !errors.As(err, &ae) || ae.Code != amqp091.NotFound {
		t.Fatalf("Publish to a missing exchange = %d, %v; want 0 and the broker's 404", n, err)
	}
	if err := top.ch.ExchangeDeclare(missing, "direct", false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := top.ch.QueueBind(top.queue, top.key, missing, false, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := pub.Publish(testContext(t), msgs(top.key, "a", "b")); n != 2 || err != nil {
		t.Fatalf("once the exchange exists: Publish = %d, %v; want 2, nil", n, err)
	}
	if got := top.count(t); got != 2 {
		t.Fatalf("queue holds %d, want 2", got)
	}
}

func TestPublishReconnectsAfterTheConnectionDrops(t *testing.T) {
	top := newTopology(t)
	proxy := cutproxy.Start(t, brokerAddr(t, top.url))
	pub := amqp.NewPublisher(amqp.Config{URL: viaProxy(t, top.url, proxy.Addr()), Exchange: top.exchange})
	defer pub.Close()
	ctx := testContext(t)
	if n, err := pub.Publish(ctx, msgs(top.key, "before")); n != 1 || err != nil {
		t.Fatalf("before the cut: %d, %v", n, err)
	}

	proxy.Cut(t)
	for i := range 2 { // the stale connection, then a refused dial
		n, err := pub.Publish(ctx, msgs(top.key, "during"))
		if n != 0 || err == nil {
			t.Fatalf("publish %d during the cut = %d, %v; want 0 and an error", i, n, err)
		}
		var ce *amqp.ConnError
		if !errors.As(err, &ce) {
			t.Fatalf("publish %d during the cut: %v is not a *ConnError", i, err)
		}
	}

	proxy.Restore(t)
	if n, err := pub.Publish(ctx, msgs(top.key, "after")); n != 1 || err != nil {
		t.Fatalf("after the cut: %d, %v; want 1, nil", n, err)
	}
	var ids []string
	for _, d := range top.drain(t) {
		ids = append(ids, d.MessageId)
	}
	if fmt.Sprint(ids) != "[before after]" {
		t.Fatalf("queue holds %v, want [before after]", ids)
	}
}

func TestPublishFromManyGoroutines(t *testing.T) {
	top := newTopology(t)
	pub := amqp.NewPublisher(amqp.Config{URL: top.url, Exchange: top.exchange, InFlight: 8})
	defer pub.Close()
	ctx := testContext(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range 5 {
				batch := msgs(top.key, fmt.Sprintf("g%d-%d-a", g, i), fmt.Sprintf("g%d-%d-b", g, i))
				if n, err := pub.Publish(ctx, batch); n != 2 || err != nil {
					errs <- fmt.Errorf("goroutine %d: %d, %v", g, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := top.count(t); got != 40 {
		t.Fatalf("queue holds %d, want 40", got)
	}
}

func TestPublishEdgeCases(t *testing.T) {
	pub := amqp.NewPublisher(amqp.Config{URL: "amqp://guest:guest@127.0.0.1:1/"})
	if n, err := pub.Publish(t.Context(), nil); n != 0 || err != nil {
		t.Fatalf("empty batch = %d, %v; want 0, nil without dialling", n, err)
	}
	var ce *amqp.ConnError
	if n, err := pub.Publish(t.Context(), msgs("t", "a")); n != 0 || !errors.As(err, &ce) {
		t.Fatalf("unreachable broker = %d, %v; want 0, *ConnError", n, err)
	}
	_ = pub.Close()
	if _, err := pub.Publish(t.Context(), msgs("t", "a")); !errors.Is(err, amqp.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

func TestPublishWithACancelledContext(t *testing.T) {
	top := newTopology(t)
	pub := amqp.NewPublisher(amqp.Config{URL: top.url, Exchange: top.exchange})
	defer pub.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if n, err := pub.Publish(ctx, msgs(top.key, "a")); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish = %d, %v; want 0, context.Canceled", n, err)
	}
	if n, err := pub.Publish(t.Context(), msgs(top.key, "b")); n != 1 || err != nil {
		t.Fatalf("next Publish = %d, %v; want 1, nil", n, err)
	}
}

func TestPublishWithABadURL(t *testing.T) {
	for _, u := range []string{"", "http://127.0.0.1:5672/", "amqp://[::1"} {
		pub := amqp.NewPublisher(amqp.Config{URL: u})
		var ce *amqp.ConnError
		if n, err := pub.Publish(t.Context(), msgs("t", "a")); n != 0 || !errors.As(err, &ce) {
			t.Errorf("URL %q: Publish = %d, %v; want 0, *ConnError", u, n, err)
		}
	}
}
