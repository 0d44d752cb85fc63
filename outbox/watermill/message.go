package watermill

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gormext/gormext/outbox"
)

const (
	// KeyMetadata carries Message.Key in the Watermill metadata.
	KeyMetadata = "gormext_key"
	// CreatedAtMetadata carries Message.CreatedAt (RFC 3339, nanoseconds).
	CreatedAtMetadata = "gormext_created_at"
)

// toWatermill is msg as a Watermill message: UUID = ID, metadata = headers
// plus the key and creation time, payload as is.
func toWatermill(msg outbox.Message) *message.Message {
	wm := message.NewMessage(msg.ID, msg.Payload)
	for k, v := range msg.Headers {
		wm.Metadata.Set(k, v)
	}
	if msg.Key != "" {
		wm.Metadata.Set(KeyMetadata, msg.Key)
	}
	if !msg.CreatedAt.IsZero() {
		wm.Metadata.Set(CreatedAtMetadata, msg.CreatedAt.UTC().Format(time.RFC3339Nano))
	}
	return wm
}

// fromWatermill is the outbox.Message wm carries on topic.
func fromWatermill(topic string, wm *message.Message) outbox.Message {
	msg := outbox.Message{ID: wm.UUID, Topic: topic, Payload: wm.Payload}
	for k, v := range wm.Metadata {
		switch k {
		case KeyMetadata:
			msg.Key = v
		case CreatedAtMetadata:
			msg.CreatedAt, _ = time.Parse(time.RFC3339Nano, v)
		default:
			if msg.Headers == nil {
				msg.Headers = make(map[string]string, len(wm.Metadata))
			}
			msg.Headers[k] = v
		}
	}
	return msg
}
