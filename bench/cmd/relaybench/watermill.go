package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"
)

// watermillLane is Watermill's outbox: messages are published with
// watermill-sql's publisher on the caller's *sql.Tx, wrapped by the
// forwarder's publisher (an envelope naming the destination topic, here
// the queue), into a messages table of its own; the forwarder reads it
// with watermill-sql's subscriber (PostgreSQL schema and offsets
// adapters, one consumer group) and publishes with watermill-amqp's
// publisher (NewDurableQueueConfig: persistent messages; ConfirmDelivery
// on; a pool of -wm-channels channels) to the durable queue.
type watermillLane struct {
	db      *sql.DB
	schema  wsql.DefaultPostgreSQLSchema
	offsets wsql.DefaultPostgreSQLOffsetsAdapter
	topic   string // the forwarder's topic (its table)
	queue   string
	s       settings
	url     string
	logger  watermill.LoggerAdapter
	f       *fixture
}

func watermillContender() contender {
	return contender{name: "Watermill forwarder", lane: newWatermillLane}
}

func newWatermillLane(ctx context.Context, f *fixture, s settings) (lane, error) {
	queue, err := f.queue("wm")
	if err != nil {
		return nil, err
	}
	l, err := watermillOn(f, s, queue)
	if err != nil {
		_ = f.drop(queue)
	}
	return l, err
}

func watermillOn(f *fixture, s settings, queue string) (*watermillLane, error) {
	topic := f.table("wm")
	l := &watermillLane{
		db:      f.sql,
		schema:  wsql.DefaultPostgreSQLSchema{SubscribeBatchSize: s.batch},
		offsets: wsql.DefaultPostgreSQLOffsetsAdapter{},
		topic:   topic, queue: queue, s: s, url: f.amqpURL,
		logger: watermill.NopLogger{},
		f:      f,
	}
	sub, err := l.subscriber()
	if err != nil {
		return nil, err
	}
	defer func() { _ = sub.Close() }()
	// The publisher must not create tables inside the caller's
	// transaction: the schema is made here, once.
	if err := sub.SubscribeInitialize(topic); err != nil {
		return nil, fmt.Errorf("watermill-sql schema: %w", err)
	}
	return l, nil
}

func (l *watermillLane) subscriber() (*wsql.Subscriber, error) {
	return wsql.NewSubscriber(wsql.BeginnerFromStdSQL(l.db), wsql.SubscriberConfig{
		ConsumerGroup:  "relaybench",
		PollInterval:   l.s.pollInterval,
		SchemaAdapter:  l.schema,
		OffsetsAdapter: l.offsets,
	}, l.logger)
}

func (l *watermillLane) commit(ctx context.Context, msgs []msg) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	pub, err := wsql.NewPublisher(wsql.TxFromStdSQL(tx), wsql.PublisherConfig{SchemaAdapter: l.schema}, l.logger)
	if err != nil {
		return err
	}
	fp := forwarder.NewPublisher(pub, forwarder.PublisherConfig{ForwarderTopic: l.topic})
	wms := make([]*message.Message, len(msgs))
	for i, m := range msgs {
		wms[i] = message.NewMessage(m.id, m.payload)
	}
	if err := fp.Publish(l.queue, wms...); err != nil {
		return err
	}
	return tx.Commit()
}

func (l *watermillLane) start(ctx context.Context, rec *recorder) (func(), error) {
	cfg := wamqp.NewDurableQueueConfig(l.url)
	cfg.Publish.ConfirmDelivery = true
	// A pooled channel: by default watermill-amqp opens and closes a
	// channel for every Publish. The forwarder publishes one message at a
	// time, so one channel is enough.
	cfg.Publish.ChannelPoolSize = l.s.wmChannels
	pub, err := wamqp.NewPublisher(cfg, l.logger)
	if err != nil {
		return nil, err
	}
	sub, err := l.subscriber()
	if err != nil {
		_ = pub.Close()
		return nil, err
	}
	fwd, err := forwarder.NewForwarder(sub, recordingWatermill{pub, rec}, l.logger,
		forwarder.Config{ForwarderTopic: l.topic, CloseTimeout: 5 * time.Second})
	if err != nil {
		_ = pub.Close()
		_ = sub.Close()
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = fwd.Run(ctx)
	}()
	return func() {
		_ = fwd.Close()
		<-done
		_ = sub.Close()
		_ = pub.Close()
	}, nil
}

func (l *watermillLane) depth(context.Context) (int, error) { return l.f.depth(l.queue) }

func (l *watermillLane) cleanup(ctx context.Context) error {
	_, err := l.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+l.schema.MessagesTable(l.topic)+", "+l.offsets.MessagesOffsetsTable(l.topic))
	return errors.Join(err, l.f.drop(l.queue))
}

// recordingWatermill reports the messages the broker confirmed.
type recordingWatermill struct {
	pub message.Publisher
	rec *recorder
}

func (p recordingWatermill) Publish(topic string, msgs ...*message.Message) error {
	if err := p.pub.Publish(topic, msgs...); err != nil {
		return err
	}
	t := time.Now()
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.UUID
	}
	p.rec.ack(t, ids...)
	return nil
}

func (p recordingWatermill) Close() error { return p.pub.Close() }
