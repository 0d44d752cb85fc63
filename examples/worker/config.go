package main

import (
	"errors"
	"os"
)

// Defaults of the topology, overridden by AMQP_EXCHANGE and AMQP_QUEUE.
const (
	DefaultExchange = "httpapi.events"
	DefaultQueue    = "worker.author-articles"
)

// InboxTable is the worker's inbox (outbox.WithInboxTable): the IDs of the
// events it has handled.
const InboxTable = "worker_inbox"

// ErrNoBroker is returned when AMQP_URL is not set.
var ErrNoBroker = errors.New("worker: set AMQP_URL to the RabbitMQ broker, e.g. amqp://guest:guest@127.0.0.1:5672/")

// ErrNoDatabase is returned when DATABASE_URL is not set: the worker has
// nothing to do on an in-memory database of its own.
var ErrNoDatabase = errors.New("worker: set DATABASE_URL to the httpapi example's database (a SQLite file or PostgreSQL)")

// Config says where the events go and come from.
type Config struct {
	// URL is the broker's AMQP URL (AMQP_URL).
	URL string
	// Exchange is the topic exchange the relay publishes to, with each
	// event's type as routing key (AMQP_EXCHANGE, default DefaultExchange).
	Exchange string
	// Queue is the consumer's queue, bound to Exchange for every routing
	// key (AMQP_QUEUE, default DefaultQueue).
	Queue string
}

// configFromEnv reads Config from the environment.
func configFromEnv() (Config, error) {
	c := Config{URL: os.Getenv("AMQP_URL"), Exchange: os.Getenv("AMQP_EXCHANGE"), Queue: os.Getenv("AMQP_QUEUE")}
	if c.URL == "" {
		return Config{}, ErrNoBroker
	}
	if c.Exchange == "" {
		c.Exchange = DefaultExchange
	}
	if c.Queue == "" {
		c.Queue = DefaultQueue
	}
	return c, nil
}
