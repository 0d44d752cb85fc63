package gormextotel

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gormext/gormext/outbox"
)

// Publisher wraps pub, an outbox relay's publisher, so that each Publish
// is a producer span "send <topic>" (or "send" when the batch holds
// several topics) with messaging.system set to system ("rabbitmq",
// "nats", "kafka", ...), messaging.operation.type "send",
// messaging.destination.name, messaging.batch.message_count and, for a
// batch of one, messaging.message.id. The span's status is Error when the
// broker refused part of the batch, and gormext.outbox.published says how
// many of the batch it accepted. No payload, key or header reaches the
// span. Only WithTracerProvider of opts applies.
func Publisher(pub outbox.Publisher, system string, opts ...Option) outbox.Publisher {
	return &tracedPublisher{pub: pub, system: system, tracer: tracerOf(opts)}
}

// Handler wraps h, a consumer's handler, so that each message is a
// consumer span "process <topic>" with messaging.system,
// messaging.operation.type "process", messaging.destination.name and
// messaging.message.id. Put it outermost (around outbox.Idempotent and
// outbox.Transactional): the transaction and statement spans of the
// handler become its children. An error or a panic marks the span failed.
func Handler(h outbox.Handler, system string, opts ...Option) outbox.Handler {
	tracer := tracerOf(opts)
	return func(ctx context.Context, msg outbox.Message) (err error) {
		ctx, span := tracer.Start(ctx, "process "+msg.Topic, trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(
				semconv.MessagingSystemKey.String(system),
				semconv.MessagingOperationTypeProcess,
				semconv.MessagingOperationName("process"),
				semconv.MessagingDestinationName(msg.Topic),
				semconv.MessagingMessageID(msg.ID),
			))
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: %v", errHandlerPanic, p)
				recordError(span, err)
				span.End()
				panic(p)
			}
			if err != nil {
				recordError(span, err)
			}
			span.End()
		}()
		return h(ctx, msg)
	}
}

// errHandlerPanic marks the span of a handler that panicked; the panic
// goes on to the caller.
var errHandlerPanic = fmt.Errorf("gormextotel: handler panicked")

type tracedPublisher struct {
	pub    outbox.Publisher
	system string
	tracer trace.Tracer
}

// Publish implements outbox.Publisher.
func (p *tracedPublisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	topic := batchTopic(msgs)
	name := "send"
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemKey.String(p.system),
		semconv.MessagingOperationTypeSend,
		semconv.MessagingOperationName("send"),
		semconv.MessagingBatchMessageCount(len(msgs)),
	}
	if topic != "" {
		name += " " + topic
		attrs = append(attrs, semconv.MessagingDestinationName(topic))
	}
	if len(msgs) == 1 {
		attrs = append(attrs, semconv.MessagingMessageID(msgs[0].ID))
	}
	ctx, span := p.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(attrs...))
	defer span.End()
	n, err := p.pub.Publish(ctx, msgs)
	span.SetAttributes(attribute.Int("gormext.outbox.published", n))
	if err != nil {
		recordError(span, err)
	}
	return n, err
}

// batchTopic is the topic every message of msgs has, or "".
func batchTopic(msgs []outbox.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	for _, m := range msgs[1:] {
		if m.Topic != msgs[0].Topic {
			return ""
		}
	}
	return msgs[0].Topic
}

func tracerOf(opts []Option) trace.Tracer {
	return newConfig(opts).tracerProvider.Tracer(ScopeName)
}
