package outbox

import (
	"context"
	"time"
)

// Message is one message, as stored in the outbox and as published.
type Message struct {
	// ID identifies the message across redeliveries: brokers carry it
	// (AMQP message-id, NATS Nats-Msg-Id) and the inbox records it. Set
	// when the message is stored.
	ID string
	// Topic is where the message goes: an AMQP routing key or a NATS
	// subject.
	Topic string
	// Key orders messages: those with the same key are published in the
	// order their transactions stored them. Empty means no ordering with
	// any other message.
	Key string
	// Payload is the message body, passed through as is.
	Payload []byte
	// Headers are passed through as the broker's headers.
	Headers map[string]string
	// CreatedAt is when the message was stored (UTC).
	CreatedAt time.Time
}

// Publisher sends messages to a broker. Publish sends msgs in the order
// given and returns how many of them, counted from the first, the broker
// has accepted (confirmed, acknowledged) when it returns: the relay marks
// those as sent and publishes the others again later. A Publisher may be
// called from several goroutines at once.
type Publisher interface {
	Publish(ctx context.Context, msgs []Message) (int, error)
}

// Handler handles one message. A nil error acknowledges the message; an
// error (or a panic) leaves it to be delivered again.
type Handler func(ctx context.Context, msg Message) error
