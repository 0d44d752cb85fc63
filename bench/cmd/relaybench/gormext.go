package main

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
	outboxamqp "github.com/gormext/gormext/outbox/amqp"
	"github.com/gormext/gormext/txctx"
)

// gormextLane is an outbox table of its own, filled with outbox.Add in
// txctx.Run and drained by one outbox.Relay through the outbox/amqp
// publisher (publisher confirms, mandatory, persistent) or the outbox/nats
// one (JetStream PubAcks).
type gormextLane struct {
	db    *gorm.DB
	opts  []outbox.Option
	store *outbox.Store
	topic string
	dest  destination
	pub   func() (outbox.Publisher, func(), error) // a publisher and its close
}

// gormextContender is the relay; notify false adds outbox.WithoutNotify
// (the relay, in this process, is woken by the commits either way).
func gormextContender(notify bool) contender {
	name := "gormext relay"
	if !notify {
		name += " (WithoutNotify)"
	}
	return contender{name: name, lane: func(ctx context.Context, f *fixture, s settings) (lane, error) {
		queue, err := f.queue("gx")
		if err != nil {
			return nil, err
		}
		l, err := newGormextLane(ctx, f, s, queue, notify)
		if err != nil {
			_ = f.drop(queue)
			return nil, err
		}
		l.dest = amqpDest{f, queue}
		l.pub = func() (outbox.Publisher, func(), error) {
			p := outboxamqp.NewPublisher(outboxamqp.Config{URL: f.amqpURL})
			return p, func() { _ = p.Close() }, nil
		}
		return l, nil
	}}
}

// destination is where a gormext lane publishes: its depth and removal.
type destination interface {
	depth(ctx context.Context) (int, error)
	drop(ctx context.Context) error
}

func newGormextLane(ctx context.Context, f *fixture, s settings, topic string, notify bool) (*gormextLane, error) {
	table := f.table("gx_outbox")
	opts := []outbox.Option{outbox.WithTable(table), outbox.WithBatchSize(s.batch)}
	if !notify {
		opts = append(opts, outbox.WithoutNotify())
	}
	if err := outbox.AutoMigrate(ctx, f.db, opts...); err != nil {
		return nil, err
	}
	return &gormextLane{db: f.db, opts: opts, store: outbox.New(opts...), topic: topic}, nil
}

func (l *gormextLane) commit(ctx context.Context, msgs []msg) error {
	return txctx.Run(txctx.WithDB(ctx, l.db), func(ctx context.Context) error {
		for _, m := range msgs {
			if err := l.store.Add(ctx, outbox.Message{ID: m.id, Topic: l.topic, Key: m.key, Payload: m.payload}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (l *gormextLane) start(ctx context.Context, rec *recorder) (func(), error) {
	pub, closePub, err := l.pub()
	if err != nil {
		return nil, err
	}
	relay := outbox.NewRelay(l.db, recordingPublisher{pub, rec}, l.opts...)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = relay.Run(rctx)
	}()
	return func() {
		cancel()
		<-done
		closePub()
	}, nil
}

func (l *gormextLane) depth(ctx context.Context) (int, error) { return l.dest.depth(ctx) }

func (l *gormextLane) cleanup(ctx context.Context) error {
	return errors.Join(l.dest.drop(ctx), l.db.WithContext(ctx).Exec("DROP TABLE IF EXISTS "+outbox.TableName(l.opts...)).Error)
}

// recordingPublisher reports the messages the broker confirmed.
type recordingPublisher struct {
	pub outbox.Publisher
	rec *recorder
}

func (p recordingPublisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	n, err := p.pub.Publish(ctx, msgs)
	if n > 0 {
		t := time.Now()
		ids := make([]string, 0, n)
		for _, m := range msgs[:n] {
			ids = append(ids, m.ID)
		}
		p.rec.ack(t, ids...)
	}
	return n, err
}
