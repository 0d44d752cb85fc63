// Package amqp publishes outbox messages to RabbitMQ (AMQP 0-9-1) and
// consumes them into an [outbox.Handler], with
// github.com/rabbitmq/amqp091-go. It is a module of its own so that the
// core module never pulls in a broker client.
//
// A [Publisher] sends each message to the configured exchange with the
// message's Topic as routing key, Message.ID as the AMQP message-id, the
// headers as AMQP headers, persistent delivery, and the mandatory flag. It
// waits for the broker's publisher confirms: a message counts as published
// only once the broker acknowledged it, and a message that no queue took
// (basic.return) or that the broker refused (basic.nack) is a failure, not
// a silent drop. Publish returns how many leading messages were confirmed,
// as [outbox.Publisher] asks:
//
//	pub := amqp.NewPublisher(amqp.Config{URL: "amqp://guest:guest@127.0.0.1:5672/", Exchange: "events"})
//	defer pub.Close()
//	n, err := pub.Publish(ctx, msgs) // msgs[:n] are confirmed
//
// [Consume] reads a queue and runs a handler for each delivery: nil acks
// it, an error or a panic nacks it with requeue, so the broker delivers it
// again (pair it with the inbox to make the handler idempotent).
//
// Both sides reconnect by themselves: a Publish while the broker cannot be
// reached fails with an error (nothing is counted as published) and the
// next one after the broker is back dials again; Consume dials again after
// [Config.ReconnectDelay] until its context is cancelled.
//
// The topology (exchange, queues, bindings) is the application's: the
// publisher and consumer declare nothing.
package amqp
