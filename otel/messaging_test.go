package gormextotel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	gormextotel "github.com/gormext/gormext/otel"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

func memoryProvider(t *testing.T) (*tracetest.InMemoryExporter, *sdktrace.TracerProvider) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return exp, tp
}

// TestPublisherSpans: each Publish of a relay's publisher is a producer
// span named after its topic, with the batch's size, how many the broker
// took, and status Error when it refused one; no payload, key or header
// value reaches it.
func TestPublisherSpans(t *testing.T) {
	exp, tp := memoryProvider(t)
	refused := errors.New("broker refused")
	mem := &outbox.MemoryPublisher{Fail: func(m outbox.Message) error {
		if m.ID == "m3" {
			return refused
		}
		return nil
	}}
	pub := gormextotel.Publisher(mem, "rabbitmq", gormextotel.WithTracerProvider(tp))
	msg := func(id, topic string) outbox.Message {
		return outbox.Message{ID: id, Topic: topic, Key: secret, Payload: []byte(secret), Headers: map[string]string{"to": secret}}
	}
	if n, err := pub.Publish(context.Background(), []outbox.Message{msg("m1", "orders.created")}); n != 1 || err != nil {
		t.Fatalf("Publish = %d, %v", n, err)
	}
	if n, err := pub.Publish(context.Background(), []outbox.Message{msg("m2", "orders.created"), msg("m3", "orders.paid")}); n != 1 || !errors.Is(err, refused) {
		t.Fatalf("Publish = %d, %v; want 1 and the broker's error", n, err)
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	one, two := spans[0], spans[1]
	if one.Name != "send orders.created" || one.SpanKind != trace.SpanKindProducer || two.Name != "send" {
		t.Fatalf("spans %q (%v) and %q, want send orders.created (producer) and send", one.Name, one.SpanKind, two.Name)
	}
	wantAttrs(t, one, map[string]string{"messaging.system": "rabbitmq", "messaging.operation.type": "send",
		"messaging.destination.name": "orders.created", "messaging.batch.message_count": "1", "messaging.message.id": "m1", "gormext.outbox.published": "1"})
	wantStatus(t, one, codes.Unset)
	wantAttrs(t, two, map[string]string{"messaging.batch.message_count": "2", "gormext.outbox.published": "1"})
	if _, ok := attrValue(two, "messaging.destination.name"); ok {
		t.Error("a batch of two topics names one destination")
	}
	wantStatus(t, two, codes.Error)
	wantNoValue(t, spans, secret)
}

// TestHandlerSpanTree: a consumed message is a consumer span, parent of
// the handler's transaction and statements; a failing handler's span is
// an error, and a panic is marked and goes on to the caller.
func TestHandlerSpanTree(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&otelUser{}); err != nil {
			t.Fatal(err)
		}
		exp, tp := memoryProvider(t)
		if err := gormextotel.Instrument(db, gormextotel.WithTracerProvider(tp), gormextotel.WithoutMetrics()); err != nil {
			t.Fatal(err)
		}
		fail := errors.New("not now")
		h := gormextotel.Handler(outbox.Transactional(db, func(ctx context.Context, msg outbox.Message) error {
			if err := txctx.DB(ctx).Create(&otelUser{Email: string(msg.Payload)}).Error; err != nil {
				return err
			}
			switch msg.ID {
			case "fails":
				return fail
			case "panics":
				panic("boom")
			}
			return nil
		}), "nats", gormextotel.WithTracerProvider(tp))

		ctx := context.Background()
		if err := h(ctx, outbox.Message{ID: "ok", Topic: "users.signup", Payload: []byte(secret)}); err != nil {
			t.Fatal(err)
		}
		if err := h(ctx, outbox.Message{ID: "fails", Topic: "users.signup", Payload: []byte("b@example.com")}); !errors.Is(err, fail) {
			t.Fatalf("handler error = %v", err)
		}
		if err := h(ctx, outbox.Message{ID: "panics", Topic: "users.signup", Payload: []byte("c@example.com")}); !errors.Is(err, outbox.ErrHandlerPanic) {
			t.Fatalf("panicking handler = %v, want outbox.ErrHandlerPanic", err)
		}
		spans := exp.GetSpans()
		tree := newTree(spans)
		tree.want(t, strings.TrimSuffix(strings.Repeat("process users.signup\n  db.transaction\n    INSERT otel_users\n", 3), "\n"))
		procs := tree.named("process users.signup")
		for i, s := range procs {
			if s.SpanKind != trace.SpanKindConsumer {
				t.Errorf("process span %d: kind %v, want consumer", i, s.SpanKind)
			}
			wantAttrs(t, s, map[string]string{"messaging.system": "nats", "messaging.operation.type": "process", "messaging.destination.name": "users.signup"})
		}
		wantAttrs(t, procs[0], map[string]string{"messaging.message.id": "ok"})
		wantStatus(t, procs[0], codes.Unset)
		wantStatus(t, procs[1], codes.Error)
		wantStatus(t, procs[2], codes.Error)
		wantNoValue(t, spans, secret)

		raw := gormextotel.Handler(func(context.Context, outbox.Message) error { panic("raw") }, "nats", gormextotel.WithTracerProvider(tp))
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic of an unwrapped handler did not reach the caller")
				}
			}()
			_ = raw(ctx, outbox.Message{ID: "raw", Topic: "t"})
		}()
		last := exp.GetSpans()[len(exp.GetSpans())-1]
		if last.Name != "process t" || last.Status.Code != codes.Error {
			t.Errorf("span of a panicking handler: %q %v, want process t, Error", last.Name, last.Status.Code)
		}
	})
}
