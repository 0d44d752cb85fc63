package nats

import (
	"errors"
	"fmt"
)

var (
	// ErrHandlerPanic: a handler panicked; the panic is recovered, the
	// message nakked, and OnError told of an error that matches
	// ErrHandlerPanic.
	ErrHandlerPanic = errors.New("nats: handler panicked")
	// ErrInvalidConfig: Consume was called without a stream, a durable
	// name or a handler.
	ErrInvalidConfig = errors.New("nats: invalid configuration")
)

// PublishError says which message of a Publish failed and why; Unwrap
// gives the client's error (for example jetstream.ErrNoStreamResponse when
// no stream takes the subject, nats.ErrReconnectBufExceeded while the
// connection is down, jetstream.ErrAsyncPublishTimeout).
type PublishError struct {
	ID      string
	Subject string
	Err     error
}

func (e *PublishError) Error() string {
	return fmt.Sprintf("nats: message %q (subject %q): %v", e.ID, e.Subject, e.Err)
}

func (e *PublishError) Unwrap() error { return e.Err }
