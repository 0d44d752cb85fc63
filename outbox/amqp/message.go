package amqp

import (
	"fmt"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/gormext/gormext/outbox"
)

// KeyHeader is the AMQP header that carries Message.Key (AMQP has no
// message key of its own); Consume moves it back into Message.Key.
const KeyHeader = "gormext-key"

// publishing is msg as AMQP publishes it: message-id, headers (plus
// KeyHeader when msg has a key), persistent, timestamp = CreatedAt.
func publishing(msg outbox.Message) amqp091.Publishing {
	return amqp091.Publishing{
		MessageId:    msg.ID,
		Headers:      headers(msg),
		DeliveryMode: amqp091.Persistent,
		Timestamp:    msg.CreatedAt,
		Body:         msg.Payload,
	}
}

func headers(msg outbox.Message) amqp091.Table {
	if len(msg.Headers) == 0 && msg.Key == "" {
		return nil
	}
	t := make(amqp091.Table, len(msg.Headers)+1)
	for k, v := range msg.Headers {
		t[k] = v
	}
	if msg.Key != "" {
		t[KeyHeader] = msg.Key
	}
	return t
}

// message is the outbox.Message a delivery carries: ID from message-id,
// Topic from the routing key, Key from KeyHeader, the other headers as
// strings, CreatedAt from the timestamp.
func message(d amqp091.Delivery) outbox.Message {
	msg := outbox.Message{
		ID:        d.MessageId,
		Topic:     d.RoutingKey,
		Payload:   d.Body,
		CreatedAt: d.Timestamp.UTC(),
	}
	for k, v := range d.Headers {
		if k == KeyHeader {
			msg.Key = headerString(v)
			continue
		}
		if msg.Headers == nil {
			msg.Headers = make(map[string]string, len(d.Headers))
		}
		msg.Headers[k] = headerString(v)
	}
	return msg
}

// headerString is an AMQP header value as text: strings and byte slices as
// they are, anything else (numbers, booleans, tables) formatted by fmt.
func headerString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	default:
		return fmt.Sprint(v)
	}
}
