package watermill

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gormext/gormext/outbox"
)

// Publisher is an [outbox.Publisher] over a Watermill publisher. It may
// be called from several goroutines at once when the Watermill publisher
// may (Watermill asks every publisher to be safe for that).
type Publisher struct {
	pub message.Publisher
}

var _ outbox.Publisher = (*Publisher)(nil)

// NewPublisher adapts pub; closing pub stays the caller's job.
func NewPublisher(pub message.Publisher) *Publisher { return &Publisher{pub: pub} }

// Publish hands msgs to the Watermill publisher one at a time, in order,
// each with ctx as its context, and returns how many leading ones it
// accepted; it stops at the first error, or when ctx is done.
func (p *Publisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		wm := toWatermill(m)
		wm.SetContext(ctx)
		if err := p.pub.Publish(m.Topic, wm); err != nil {
			return i, fmt.Errorf("watermill: publish message %q to %q: %w", m.ID, m.Topic, err)
		}
	}
	return len(msgs), nil
}
