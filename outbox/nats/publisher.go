package nats

import (
	"context"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gormext/gormext/outbox"
)

// PublisherConfig tunes a Publisher; the zero value means the defaults.
type PublisherConfig struct {
	// AckTimeout is how long a PubAck may take before the message counts
	// as failed. Default 5s.
	AckTimeout time.Duration
	// InFlight is how many published messages may wait for their PubAck
	// at once within one Publish. 1 publishes strictly one after the
	// other. Default 0: MaxInFlight, the whole batch of a usual relay;
	// after a failure the later messages of the call may be stored too,
	// and publishing them again is dropped as a duplicate within the
	// stream's window. Values above MaxInFlight mean MaxInFlight.
	InFlight int
}

// MaxInFlight caps PublisherConfig.InFlight: nats.go lets 4,000 async
// publishes of one connection wait for their PubAck before it refuses
// more, which leaves room for a dozen Publish calls at once.
const MaxInFlight = 256

// Publisher is an [outbox.Publisher] on a JetStream context of the
// caller's connection; it may be used from several goroutines at once.
type Publisher struct {
	js       jetstream.JetStream
	inFlight int
}

var _ outbox.Publisher = (*Publisher)(nil)

// NewPublisher returns a Publisher on nc.
func NewPublisher(nc *natsgo.Conn, cfg PublisherConfig) (*Publisher, error) {
	if nc == nil {
		return nil, fmt.Errorf("%w: NewPublisher needs a connection", ErrInvalidConfig)
	}
	inFlight := cfg.InFlight
	if inFlight <= 0 || inFlight > MaxInFlight {
		inFlight = MaxInFlight
	}
	timeout := cfg.AckTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(timeout))
	if err != nil {
		return nil, err
	}
	return &Publisher{js: js, inFlight: inFlight}, nil
}

// Publish sends msgs in order and waits for their PubAcks. It returns how
// many leading messages the stream acknowledged (a duplicate the stream
// dropped counts: it was stored before); the error, a [*PublishError] or
// ctx's, says why the next one was not.
func (p *Publisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	window := p.inFlight
	pending := make([]jetstream.PubAckFuture, 0, len(msgs))
	acked := 0
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			return acked, err
		}
		f, err := p.js.PublishMsgAsync(natsMsg(m))
		if err != nil {
			return acked, &PublishError{ID: m.ID, Subject: m.Topic, Err: err}
		}
		pending = append(pending, f)
		for i+1-acked >= window {
			if err := await(ctx, pending[acked], msgs[acked]); err != nil {
				return acked, err
			}
			acked++
		}
	}
	for ; acked < len(pending); acked++ {
		if err := await(ctx, pending[acked], msgs[acked]); err != nil {
			return acked, err
		}
	}
	return acked, nil
}

// await waits for f's PubAck.
func await(ctx context.Context, f jetstream.PubAckFuture, m outbox.Message) error {
	select {
	case <-f.Ok():
		return nil
	case err := <-f.Err():
		return &PublishError{ID: m.ID, Subject: m.Topic, Err: err}
	case <-ctx.Done():
		return ctx.Err()
	}
}
