package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// testTopology is Declare with names of the test's own, deleted at cleanup,
// and a channel to publish by hand.
func testTopology(t *testing.T) (Config, *amqp091.Channel) {
	t.Helper()
	cfg := Config{URL: brokerURL(t), Exchange: uniqueName("gormext-worker-x"), Queue: uniqueName("gormext-worker-q")}
	if err := Declare(cfg); err != nil {
		t.Fatal(err)
	}
	conn, err := amqp091.Dial(cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(cfg.Queue, false, false, false)
		_ = ch.ExchangeDelete(cfg.Exchange, false, false)
		_ = conn.Close()
	})
	return cfg, ch
}

// background runs fn until the test ends, then cancels it and waits.
func background(t *testing.T, fn func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stopped with %v", err)
		}
	})
}

// counted wraps h to send the ID of each message it handled successfully
// on the returned channel.
func counted(h outbox.Handler) (outbox.Handler, <-chan string) {
	handled := make(chan string, 100)
	return func(ctx context.Context, msg outbox.Message) error {
		err := h(ctx, msg)
		if err == nil {
			handled <- msg.ID
		}
		return err
	}, handled
}

// waitHandled waits until n more messages were handled.
func waitHandled(t *testing.T, handled <-chan string, n int) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for range n {
		select {
		case <-handled:
		case <-timeout:
			t.Fatalf("the consumer did not handle the %d messages expected", n)
		}
	}
}

// Events written to the outbox reach the projection through the relay,
// RabbitMQ and the consumer with its inbox, and an event the broker
// delivers twice (published again by hand, as a relay that crashed before
// recording its publication would) changes it once.
func TestEventsReachTheProjectionOnce(t *testing.T) {
	brokerURL(t)
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		// Bound before the relay and the consumer use db: txctx registers
		// its callbacks at the first binding of a *gorm.DB, which must not
		// run beside statements (the consumer's handler binds db too).
		ctx := txctx.WithDB(testContext(t), db)
		if err := outbox.AutoMigrate(ctx, db); err != nil { // the httpapi example's outbox table
			t.Fatal(err)
		}
		if err := Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		cfg, ch := testTopology(t)
		h, handled := counted(Handler(db, quiet))
		background(t, func(ctx context.Context) error { return Consume(ctx, cfg, h, quiet) })
		background(t, func(ctx context.Context) error { return Relay(ctx, db, cfg) })

		ada, bob := uuid.New(), uuid.New()
		msgs := []outbox.Message{
			eventMessage(t, articleCreated, ada), eventMessage(t, articleCreated, ada),
			eventMessage(t, articleCreated, bob), eventMessage(t, "author.created", bob),
			eventMessage(t, articleDeleted, bob),
		}
		for _, m := range msgs { // a transaction each, as the service's requests write them
			err := txctx.Run(ctx, func(ctx context.Context) error { return outbox.Add(ctx, m) })
			if err != nil {
				t.Fatal(err)
			}
		}
		waitHandled(t, handled, len(msgs))
		wantArticles(t, db, map[uuid.UUID]int64{ada: 2, bob: 0}, int64(len(msgs)))

		dup := msgs[0]
		err := ch.PublishWithContext(ctx, cfg.Exchange, dup.Topic, true, false,
			amqp091.Publishing{MessageId: dup.ID, Body: dup.Payload, DeliveryMode: amqp091.Persistent})
		if err != nil {
			t.Fatal(err)
		}
		waitHandled(t, handled, 1)
		wantArticles(t, db, map[uuid.UUID]int64{ada: 2, bob: 0}, int64(len(msgs)))
	})
}
