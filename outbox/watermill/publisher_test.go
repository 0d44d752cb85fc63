package watermill_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/watermill"
)

func TestPublishCarriesUUIDAndMetadataInOrder(t *testing.T) {
	// Each publish returns once the subscriber acked the message: the
	// order seen is the order published.
	ps := newPubSub(t, true)
	ch, err := ps.Subscribe(t.Context(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	batch := []outbox.Message{
		{ID: "m-1", Topic: "orders", Key: "order-7", Payload: []byte("one"), Headers: map[string]string{"trace": "abc"}, CreatedAt: created},
		{ID: "m-2", Topic: "orders", Payload: []byte("two")},
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := watermill.NewPublisher(ps).Publish(t.Context(), batch)
		done <- result{n, err}
	}()
	first := <-ch
	first.Ack()
	second := <-ch
	second.Ack()
	if r := <-done; r.n != 2 || r.err != nil {
		t.Fatalf("Publish = %d, %v; want 2, nil", r.n, r.err)
	}
	if first.UUID != "m-1" || string(first.Payload) != "one" || second.UUID != "m-2" || string(second.Payload) != "two" {
		t.Fatalf("got %s %q, %s %q", first.UUID, first.Payload, second.UUID, second.Payload)
	}
	wantMeta := message.Metadata{"trace": "abc", watermill.KeyMetadata: "order-7", watermill.CreatedAtMetadata: "2026-03-04T05:06:07.000000008Z"}
	if len(first.Metadata) != len(wantMeta) {
		t.Fatalf("metadata %v, want %v", first.Metadata, wantMeta)
	}
	for k, v := range wantMeta {
		if first.Metadata.Get(k) != v {
			t.Fatalf("metadata %v, want %v", first.Metadata, wantMeta)
		}
	}
	if len(second.Metadata) != 0 {
		t.Fatalf("second message metadata %v, want none", second.Metadata)
	}
}

func TestPublishOnAClosedPublisherFails(t *testing.T) {
	ps := newPubSub(t, false)
	_ = ps.Close()
	n, err := watermill.NewPublisher(ps).Publish(t.Context(), []outbox.Message{{ID: "m-1", Topic: "orders"}})
	if n != 0 || err == nil {
		t.Fatalf("Publish = %d, %v; want 0 and an error", n, err)
	}
	if want := `watermill: publish message "m-1" to "orders": `; len(err.Error()) <= len(want) || err.Error()[:len(want)] != want {
		t.Fatalf("error %q does not name the message", err)
	}
}

func TestPublishStopsWhenTheContextEnds(t *testing.T) {
	// The publish of each message returns once the subscriber acked it;
	// the subscriber cancels the context on the first one.
	ps := newPubSub(t, true)
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := ps.Subscribe(t.Context(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		m := <-ch
		cancel()
		m.Ack()
	}()
	batch := []outbox.Message{{ID: "m-1", Topic: "orders"}, {ID: "m-2", Topic: "orders"}}
	n, err := watermill.NewPublisher(ps).Publish(ctx, batch)
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish = %d, %v; want 1, context.Canceled", n, err)
	}
}
