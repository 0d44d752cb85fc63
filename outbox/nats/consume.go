package nats

import (
	"context"
	"errors"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gormext/gormext/outbox"
)

// ConsumerConfig names the durable pull consumer Consume reads; the zero
// value of each field but Stream and Durable means its default.
type ConsumerConfig struct {
	// Stream is the stream to consume.
	Stream string
	// Durable is the consumer's name; Consume creates it, or updates it
	// when it exists, with explicit acks, so that several processes
	// consuming under one name share its messages.
	Durable string
	// FilterSubject restricts the consumer to the subjects it matches.
	// Default: every subject of the stream.
	FilterSubject string
	// AckWait is how long JetStream waits for an ack before delivering a
	// message again. Default 30s.
	AckWait time.Duration
	// MaxDeliver caps deliveries of one message. Default -1: no cap.
	MaxDeliver int
	// NakDelay is how long JetStream waits before delivering again a
	// message the handler failed. Default 0: at once.
	NakDelay time.Duration
	// Batch is how many messages a pull asks for ahead of the handler.
	// Default 10.
	Batch int
	// OnError, when set, is told of each error Consume goes on after: a
	// handler's error or panic (the message is nakked), a failed ack, a
	// transient pull error. It must not block.
	OnError func(error)
}

func (c ConsumerConfig) validate(nc *natsgo.Conn, h outbox.Handler) error {
	switch {
	case nc == nil:
		return fmt.Errorf("%w: Consume needs a connection", ErrInvalidConfig)
	case c.Stream == "":
		return fmt.Errorf("%w: ConsumerConfig.Stream is required", ErrInvalidConfig)
	case c.Durable == "":
		return fmt.Errorf("%w: ConsumerConfig.Durable is required (Consume reads a durable consumer)", ErrInvalidConfig)
	case h == nil:
		return fmt.Errorf("%w: Consume needs a handler", ErrInvalidConfig)
	}
	return nil
}

func (c ConsumerConfig) onError(err error) {
	if c.OnError != nil {
		c.OnError(err)
	}
}

func (c ConsumerConfig) jetstream() jetstream.ConsumerConfig {
	maxDeliver := c.MaxDeliver
	if maxDeliver == 0 {
		maxDeliver = -1
	}
	return jetstream.ConsumerConfig{
		Durable:       c.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		FilterSubject: c.FilterSubject,
		AckWait:       c.AckWait,
		MaxDeliver:    maxDeliver,
	}
}

// Consume creates or updates the durable consumer cfg names and runs h for
// each of its messages, one at a time, until ctx is cancelled; then it
// returns nil. A nil error from h acks the message; an error or a panic
// (recovered, reported as [ErrHandlerPanic]) naks it, so JetStream
// delivers it again. h gets ctx.
//
// nats.go reconnects nc by itself and the pull resumes; messages not acked
// by then come again after AckWait. Consume returns an error when the
// consumer cannot be created (no such stream, invalid config) or is
// deleted while it runs.
func Consume(ctx context.Context, nc *natsgo.Conn, cfg ConsumerConfig, h outbox.Handler) error {
	if err := cfg.validate(nc, h); err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, cfg.Stream, cfg.jetstream())
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("nats: consumer %q on stream %q: %w", cfg.Durable, cfg.Stream, err)
	}
	batch := cfg.Batch
	if batch <= 0 {
		batch = 10
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(batch))
	if err != nil {
		return fmt.Errorf("nats: consumer %q: %w", cfg.Durable, err)
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	return loop(ctx, cfg, it, h)
}

// loop handles messages from it until it is stopped.
func loop(ctx context.Context, cfg ConsumerConfig, it jetstream.MessagesContext, h outbox.Handler) error {
	for {
		m, err := it.Next()
		switch {
		case err == nil && ctx.Err() != nil:
			_ = m.Nak() // stopping: let another consumer have it at once
			return nil
		case err == nil:
			handle(ctx, cfg, m, h)
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, jetstream.ErrMsgIteratorClosed), errors.Is(err, jetstream.ErrConsumerDeleted):
			return fmt.Errorf("nats: consumer %q stopped: %w", cfg.Durable, err)
		default:
			cfg.onError(fmt.Errorf("nats: consumer %q: %w", cfg.Durable, err))
		}
	}
}

// handle runs h for m and acks or naks m.
func handle(ctx context.Context, cfg ConsumerConfig, m jetstream.Msg, h outbox.Handler) {
	msg := message(m)
	if err := run(ctx, h, msg); err != nil {
		cfg.onError(fmt.Errorf("nats: handler for message %q: %w", msg.ID, err))
		if err := nak(m, cfg.NakDelay); err != nil {
			cfg.onError(fmt.Errorf("nats: nak message %q: %w", msg.ID, err))
		}
		return
	}
	if err := m.Ack(); err != nil {
		cfg.onError(fmt.Errorf("nats: ack message %q: %w", msg.ID, err))
	}
}

func nak(m jetstream.Msg, delay time.Duration) error {
	if delay > 0 {
		return m.NakWithDelay(delay)
	}
	return m.Nak()
}

// run calls h, turning a panic into an error that matches ErrHandlerPanic.
func run(ctx context.Context, h outbox.Handler, msg outbox.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrHandlerPanic, r)
		}
	}()
	return h(ctx, msg)
}
