package amqp

import (
	"errors"
	"fmt"
)

var (
	// ErrUnroutable: the broker returned a mandatory message that no queue
	// took (basic.return): an exchange without a binding for its routing
	// key, or a queue that does not exist.
	ErrUnroutable = errors.New("amqp: message returned unroutable")
	// ErrNacked: the broker refused a message (basic.nack), or the channel
	// closed before the broker confirmed it.
	ErrNacked = errors.New("amqp: message not confirmed by the broker")
	// ErrInvalidConfig: Consume was called without a queue name.
	ErrInvalidConfig = errors.New("amqp: invalid configuration")
	// ErrClosed: the Publisher was closed.
	ErrClosed = errors.New("amqp: publisher closed")
	// ErrHandlerPanic: a handler panicked; the panic is recovered, the
	// message nacked with requeue, and OnError told of an error that
	// matches ErrHandlerPanic.
	ErrHandlerPanic = errors.New("amqp: handler panicked")
)

// ConnError is a failure of the connection or the channel: dialling,
// opening a channel, putting it in confirm mode, or a publish on a channel
// that went away. errors.As finds it; Unwrap gives amqp091's error.
type ConnError struct {
	Op  string
	Err error
}

func (e *ConnError) Error() string { return fmt.Sprintf("amqp: %s: %v", e.Op, e.Err) }

func (e *ConnError) Unwrap() error { return e.Err }

// MessageError says which message of a Publish failed and why: errors.Is
// matches ErrUnroutable or ErrNacked through it.
type MessageError struct {
	ID    string
	Topic string
	Err   error
}

func (e *MessageError) Error() string {
	return fmt.Sprintf("amqp: message %q (routing key %q): %v", e.ID, e.Topic, e.Err)
}

func (e *MessageError) Unwrap() error { return e.Err }
