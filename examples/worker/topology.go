package main

import (
	"fmt"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// Declare makes the topology, which the outbox/amqp publisher and consumer
// leave to the application: a durable topic exchange, and a durable queue
// bound to it for every routing key ("#"). Declaring what exists already
// changes nothing, so both commands call it at start, in either order.
func Declare(cfg Config) error {
	conn, err := amqp091.Dial(cfg.URL)
	if err != nil {
		return fmt.Errorf("worker: connecting to the broker: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("worker: opening a channel: %w", err)
	}
	if err := ch.ExchangeDeclare(cfg.Exchange, "topic", true, false, false, false, nil); err != nil {
		return fmt.Errorf("worker: declaring exchange %q: %w", cfg.Exchange, err)
	}
	if _, err := ch.QueueDeclare(cfg.Queue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("worker: declaring queue %q: %w", cfg.Queue, err)
	}
	if err := ch.QueueBind(cfg.Queue, "#", cfg.Exchange, false, nil); err != nil {
		return fmt.Errorf("worker: binding queue %q to %q: %w", cfg.Queue, cfg.Exchange, err)
	}
	return nil
}
