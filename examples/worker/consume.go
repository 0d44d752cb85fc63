package main

import (
	"context"
	"log/slog"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
)

// Consume reads the queue of cfg into h until ctx ends (amqp.Consume: an
// error from h requeues the delivery; a dropped connection is logged and
// dialled again).
func Consume(ctx context.Context, cfg Config, h outbox.Handler, log *slog.Logger) error {
	acfg := amqp.Config{URL: cfg.URL, OnError: func(err error) { log.Warn("consumer", "error", err) }}
	return amqp.Consume(ctx, acfg, cfg.Queue, h)
}
