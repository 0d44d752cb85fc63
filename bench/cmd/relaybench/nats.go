package main

import (
	"context"
	"fmt"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gormext/gormext/outbox"
	outboxnats "github.com/gormext/gormext/outbox/nats"
)

// gormextNATSContender is the relay publishing to NATS JetStream through
// outbox/nats (a PubAck per message from a file-storage stream of its
// own, Nats-Msg-Id set for the stream's duplicate window).
func gormextNATSContender() contender {
	return contender{name: "gormext relay to NATS JetStream", lane: func(ctx context.Context, f *fixture, s settings) (lane, error) {
		nc, err := outboxnats.Connect(s.natsURL)
		if err != nil {
			return nil, fmt.Errorf("nats: %w", err)
		}
		d, err := newStream(ctx, f, nc)
		if err != nil {
			nc.Close()
			return nil, err
		}
		l, err := newGormextLane(ctx, f, s, d.subject, true)
		if err != nil {
			_ = d.drop(ctx)
			return nil, err
		}
		l.dest = d
		l.pub = func() (outbox.Publisher, func(), error) {
			p, err := outboxnats.NewPublisher(nc, outboxnats.PublisherConfig{})
			return p, func() {}, err
		}
		return l, nil
	}}
}

// stream is a JetStream stream of this run with one subject.
type stream struct {
	nc      *natsgo.Conn
	js      jetstream.JetStream
	name    string
	subject string
}

func newStream(ctx context.Context, f *fixture, nc *natsgo.Conn) (*stream, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	name := f.table(f.schema)
	d := &stream{nc: nc, js: js, name: name, subject: "relaybench." + name}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{d.subject}, Storage: jetstream.FileStorage}); err != nil {
		return nil, fmt.Errorf("nats: create stream: %w", err)
	}
	return d, nil
}

func (d *stream) depth(ctx context.Context) (int, error) {
	st, err := d.js.Stream(ctx, d.name)
	if err != nil {
		return 0, err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, err
	}
	return int(info.State.Msgs), nil
}

func (d *stream) drop(ctx context.Context) error {
	err := d.js.DeleteStream(ctx, d.name)
	d.nc.Close()
	return err
}
