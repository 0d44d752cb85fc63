package main

import (
	"context"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
)

// Relay publishes the outbox table of db (the httpapi example's) to the
// exchange of cfg until ctx ends, with RabbitMQ's publisher confirms: an
// event leaves the table only once the broker accepted it. On SQLite run
// one relay per database, which is why httpapi runs none of its own when
// AMQP_URL is set.
func Relay(ctx context.Context, db *gorm.DB, cfg Config) error {
	pub := amqp.NewPublisher(amqp.Config{URL: cfg.URL, Exchange: cfg.Exchange})
	defer pub.Close()
	return outbox.NewRelay(db, pub).Run(ctx)
}
