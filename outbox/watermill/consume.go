package watermill

import (
	"context"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gormext/gormext/outbox"
)

// ErrHandlerPanic: a handler panicked; the panic is recovered and returned
// as an error that matches ErrHandlerPanic, and the message nacked.
var ErrHandlerPanic = errors.New("watermill: handler panicked")

// ErrNoHandler: Consume was called with a nil handler.
var ErrNoHandler = errors.New("watermill: Consume needs a handler")

// Consume subscribes to topic and runs h for each message, one at a time,
// until ctx is cancelled or the subscriber closes the channel; then it
// returns nil. A nil error from h acks the message; an error or a panic
// nacks it, and onError (when not nil) is told of the error. h gets the
// message's context, which the subscriber derives from ctx.
func Consume(ctx context.Context, sub message.Subscriber, topic string, h outbox.Handler, onError func(error)) error {
	if h == nil {
		return ErrNoHandler
	}
	ch, err := sub.Subscribe(ctx, topic)
	if err != nil {
		return fmt.Errorf("watermill: subscribe to %q: %w", topic, err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case wm, ok := <-ch:
			if !ok {
				return nil
			}
			if err := handle(ctx, topic, wm, h); err != nil {
				wm.Nack()
				if onError != nil {
					onError(err)
				}
				continue
			}
			wm.Ack()
		}
	}
}

// HandlerFunc adapts h to a Watermill router handler: the router acks the
// message when h returns nil and nacks it otherwise; a panic in h comes
// back as an error matching ErrHandlerPanic. The topic is the one the
// router subscribed to.
func HandlerFunc(h outbox.Handler) message.NoPublishHandlerFunc {
	return func(wm *message.Message) error {
		ctx := wm.Context()
		return handle(ctx, message.SubscribeTopicFromCtx(ctx), wm, h)
	}
}

// handle runs h for wm; ctx is used when wm carries none of its own.
func handle(ctx context.Context, topic string, wm *message.Message, h outbox.Handler) error {
	if mctx := wm.Context(); mctx != context.Background() {
		ctx = mctx
	}
	msg := fromWatermill(topic, wm)
	if err := run(ctx, h, msg); err != nil {
		return fmt.Errorf("watermill: handler for message %q: %w", msg.ID, err)
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
