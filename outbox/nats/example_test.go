package nats_test

import (
	"context"
	"log"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/nats"
)

// A publisher for the relay and a durable consumer feeding a handler.
func Example() {
	ctx := context.Background()
	nc, err := nats.Connect("nats://127.0.0.1:4222")
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()

	pub, err := nats.NewPublisher(nc, nats.PublisherConfig{})
	if err != nil {
		log.Fatal(err)
	}
	n, err := pub.Publish(ctx, []outbox.Message{{ID: "0190a0c4-7d", Topic: "orders.created", Payload: []byte(`{"id":7}`)}})
	if err != nil {
		log.Printf("%d published, then: %v", n, err) // the relay retries the rest
	}

	// Runs until ctx is cancelled.
	err = nats.Consume(ctx, nc, nats.ConsumerConfig{Stream: "ORDERS", Durable: "billing"}, func(ctx context.Context, m outbox.Message) error {
		log.Printf("order created: %s", m.Payload)
		return nil // ack; an error naks
	})
	if err != nil {
		log.Fatal(err)
	}
}
