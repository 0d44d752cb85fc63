package watermill_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	wm "github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/watermill"
)

func TestRoundTripKeepsTheMessage(t *testing.T) {
	ps := newPubSub(t, false)
	sent := outbox.Message{
		ID: "m-1", Topic: "orders", Key: "order-7", Payload: []byte(`{"id":7}`),
		Headers: map[string]string{"trace": "abc"}, CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC),
	}
	if _, err := watermill.NewPublisher(ps).Publish(t.Context(), []outbox.Message{sent}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var got outbox.Message
	err := watermill.Consume(ctx, ps, "orders", func(_ context.Context, m outbox.Message) error {
		got = m
		cancel()
		return nil
	}, nil)
	if err != nil {
		t.Fatalf("Consume = %v, want nil after cancel", err)
	}
	if !reflect.DeepEqual(got, sent) {
		t.Fatalf("handler got %+v, want %+v", got, sent)
	}
}

// recorder passes a real subscriber's messages through and keeps each
// one handed out, to check afterwards whether it was acked or nacked.
type recorder struct {
	message.Subscriber
	mu   sync.Mutex
	seen []*message.Message
}

func (r *recorder) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	in, err := r.Subscriber.Subscribe(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := make(chan *message.Message)
	go func() {
		defer close(out)
		for m := range in {
			r.mu.Lock()
			r.seen = append(r.seen, m)
			r.mu.Unlock()
			select {
			case out <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// outcomes is "ack" or "nack" (or "none") for each message handed out.
func (r *recorder) outcomes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.seen {
		select {
		case <-m.Acked():
			out = append(out, "ack")
		case <-m.Nacked():
			out = append(out, "nack")
		default:
			out = append(out, "none")
		}
	}
	return out
}

func TestConsumeAcksOnNilAndNacksOnErrorOrPanic(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		fail    func() error
		wantErr error
	}{
		{"error", func() error { return boom }, boom},
		{"panic", func() error { panic("kaboom") }, watermill.ErrHandlerPanic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := newPubSub(t, false)
			if err := ps.Publish("orders", message.NewMessage("m-1", []byte("x"))); err != nil {
				t.Fatal(err)
			}
			sub := &recorder{Subscriber: ps}
			ctx, cancel := context.WithCancel(t.Context())
			var ids []string
			var errs []error
			err := watermill.Consume(ctx, sub, "orders", func(_ context.Context, m outbox.Message) error {
				ids = append(ids, m.ID)
				if len(ids) == 1 {
					return tc.fail()
				}
				cancel() // the second delivery succeeds: stop after its ack
				return nil
			}, func(err error) { errs = append(errs, err) })
			if err != nil {
				t.Fatalf("Consume = %v", err)
			}
			if fmt.Sprint(ids) != "[m-1 m-1]" {
				t.Fatalf("handler saw %v, want m-1 twice", ids)
			}
			if got := fmt.Sprint(sub.outcomes()); got != "[nack ack]" {
				t.Fatalf("outcomes %s, want [nack ack]", got)
			}
			if len(errs) != 1 || !errors.Is(errs[0], tc.wantErr) {
				t.Fatalf("onError got %v, want one error matching %v", errs, tc.wantErr)
			}
		})
	}
}

func TestHandlerFuncInARouter(t *testing.T) {
	ps := newPubSub(t, true)
	router, err := message.NewRouter(message.RouterConfig{}, wm.NopLogger{})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan outbox.Message, 10)
	var calls int
	router.AddConsumerHandler("orders", "orders", ps, watermill.HandlerFunc(func(_ context.Context, m outbox.Message) error {
		got <- m
		calls++
		if calls == 1 {
			panic("kaboom") // recovered: the router nacks, the message comes again
		}
		return nil
	}))
	done := make(chan error, 1)
	go func() { done <- router.Run(t.Context()) }()
	<-router.Running()
	if _, err := watermill.NewPublisher(ps).Publish(t.Context(), []outbox.Message{{ID: "m-1", Topic: "orders", Key: "k"}}); err != nil {
		t.Fatal(err)
	}
	_ = router.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	close(got)
	var seen []outbox.Message
	for m := range got {
		seen = append(seen, m)
	}
	if len(seen) != 2 || seen[1].ID != "m-1" || seen[1].Topic != "orders" || seen[1].Key != "k" {
		t.Fatalf("handler saw %+v, want m-1 on orders twice", seen)
	}
}

func TestConsumeWithoutAHandler(t *testing.T) {
	if err := watermill.Consume(t.Context(), newPubSub(t, false), "orders", nil, nil); !errors.Is(err, watermill.ErrNoHandler) {
		t.Fatalf("Consume = %v, want ErrNoHandler", err)
	}
}
