package nats

import (
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gormext/gormext/outbox"
)

const (
	// KeyHeader carries Message.Key; Consume moves it back into Key.
	KeyHeader = "Gormext-Key"
	// CreatedAtHeader carries Message.CreatedAt (RFC 3339, nanoseconds);
	// Consume moves it back into CreatedAt.
	CreatedAtHeader = "Gormext-Created-At"
)

// natsMsg is msg as published: subject = Topic, Nats-Msg-Id = ID, the
// headers, KeyHeader and CreatedAtHeader when set.
func natsMsg(msg outbox.Message) *natsgo.Msg {
	h := natsgo.Header{}
	for k, v := range msg.Headers {
		h.Set(k, v)
	}
	if msg.ID != "" {
		h.Set(jetstream.MsgIDHeader, msg.ID)
	}
	if msg.Key != "" {
		h.Set(KeyHeader, msg.Key)
	}
	if !msg.CreatedAt.IsZero() {
		h.Set(CreatedAtHeader, msg.CreatedAt.UTC().Format(time.RFC3339Nano))
	}
	return &natsgo.Msg{Subject: msg.Topic, Header: h, Data: msg.Payload}
}

// message is the outbox.Message m carries: ID from Nats-Msg-Id, Topic
// from the subject, Key and CreatedAt from their headers (CreatedAt from
// the time the stream stored m when the header is absent), the other
// headers with their first value.
func message(m jetstream.Msg) outbox.Message {
	msg := outbox.Message{Topic: m.Subject(), Payload: m.Data()}
	for k, vs := range m.Headers() {
		if len(vs) == 0 {
			continue
		}
		switch k {
		case jetstream.MsgIDHeader:
			msg.ID = vs[0]
		case KeyHeader:
			msg.Key = vs[0]
		case CreatedAtHeader:
			msg.CreatedAt, _ = time.Parse(time.RFC3339Nano, vs[0])
		default:
			if msg.Headers == nil {
				msg.Headers = map[string]string{}
			}
			msg.Headers[k] = vs[0]
		}
	}
	if msg.CreatedAt.IsZero() {
		if md, err := m.Metadata(); err == nil {
			msg.CreatedAt = md.Timestamp.UTC()
		}
	}
	return msg
}
