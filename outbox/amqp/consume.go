package amqp

import (
	"context"
	"errors"
	"fmt"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/gormext/gormext/outbox"
)

// Consume reads queue and runs h for each delivery, one at a time, until
// ctx is cancelled; then it returns nil. A nil error from h acks the
// delivery; an error or a panic (recovered, reported as [ErrHandlerPanic])
// nacks it with requeue, so the broker delivers it again. h gets ctx.
//
// When the connection or the channel drops, Consume tells cfg.OnError and
// dials again after cfg.ReconnectDelay; deliveries that were not acked by
// then are requeued by the broker. It returns an error only when the
// broker refuses the consumer for good: a queue that does not exist (404)
// or access refused (403).
func Consume(ctx context.Context, cfg Config, queue string, h outbox.Handler) error {
	if queue == "" {
		return fmt.Errorf("%w: Consume needs a queue name", ErrInvalidConfig)
	}
	if h == nil {
		return fmt.Errorf("%w: Consume needs a handler", ErrInvalidConfig)
	}
	for {
		err := consumeOnce(ctx, cfg, queue, h)
		if ctx.Err() != nil {
			return nil
		}
		if fatal(err) {
			return fmt.Errorf("amqp: consume %q: %w", queue, err)
		}
		cfg.onError(err)
		t := time.NewTimer(cfg.reconnectDelay())
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// fatal: the broker refused the queue itself, which dialling again does
// not change.
func fatal(err error) bool {
	var e *amqp091.Error
	return errors.As(err, &e) && (e.Code == amqp091.NotFound || e.Code == amqp091.AccessRefused)
}

// consumeOnce consumes on one connection until it drops or ctx ends.
func consumeOnce(ctx context.Context, cfg Config, queue string, h outbox.Handler) error {
	conn, err := cfg.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return &ConnError{Op: "open channel", Err: err}
	}
	closed := ch.NotifyClose(make(chan *amqp091.Error, 1))
	if err := ch.Qos(cfg.prefetch(), 0, false); err != nil {
		return &ConnError{Op: "qos", Err: err}
	}
	deliveries, err := ch.ConsumeWithContext(ctx, queue, "", false, false, false, false, nil)
	if err != nil {
		return err
	}
	for d := range deliveries {
		if ctx.Err() != nil {
			return nil // unacked deliveries go back to the queue
		}
		if err := handle(ctx, cfg, d, h); err != nil {
			return err
		}
	}
	return &ConnError{Op: "consume", Err: closeReason(closed)}
}

// closeReason is why the channel closed, when amqp091 said so.
func closeReason(closed <-chan *amqp091.Error) error {
	select {
	case e, ok := <-closed:
		if ok && e != nil {
			return e
		}
	default:
	}
	return amqp091.ErrClosed
}

// handle runs h for d and acks or nacks d; an error is the channel's, when
// the ack or nack could not be sent.
func handle(ctx context.Context, cfg Config, d amqp091.Delivery, h outbox.Handler) error {
	msg := message(d)
	if err := run(ctx, h, msg); err != nil {
		cfg.onError(fmt.Errorf("amqp: handler for message %q: %w", msg.ID, err))
		if err := d.Nack(false, true); err != nil {
			return &ConnError{Op: "nack", Err: err}
		}
		return nil
	}
	if err := d.Ack(false); err != nil {
		return &ConnError{Op: "ack", Err: err}
	}
	return nil
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
