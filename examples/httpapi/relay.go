package main

import (
	"context"
	"log/slog"
	"os"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
)

// amqpEnv names the variable that says a relay of examples/worker
// publishes the outbox to RabbitMQ.
const amqpEnv = "AMQP_URL"

// startRelay publishes the outbox (the service's domain events) until ctx
// ends, and returns a channel closed once it stopped. Without AMQP_URL it
// runs an outbox.Relay in this process that writes each event to log
// (logPublisher): the service then works alone, events included. With
// AMQP_URL set it runs none: `worker relay` (examples/worker, a module of
// its own, since this one imports no broker client) publishes the table to
// RabbitMQ.
func startRelay(ctx context.Context, db *gorm.DB, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	if os.Getenv(amqpEnv) != "" {
		log.Info("AMQP_URL is set: events stay in the outbox for `worker relay` (examples/worker) to publish")
		close(done)
		return done
	}
	relay := outbox.NewRelay(db, logPublisher{log: log})
	go func() {
		defer close(done)
		if err := relay.Run(ctx); err != nil {
			log.Error("outbox relay stopped", slog.Any("error", err))
		}
	}()
	return done
}

// logPublisher is the outbox.Publisher of a service without a broker: it
// logs each message as an "event" line and accepts it.
type logPublisher struct{ log *slog.Logger }

// Publish logs msgs in order and reports them all accepted.
func (p logPublisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	for _, m := range msgs {
		p.log.InfoContext(ctx, "event", slog.String("topic", m.Topic), slog.String("id", m.ID),
			slog.String("key", m.Key), slog.String("payload", string(m.Payload)))
	}
	return len(msgs), nil
}
