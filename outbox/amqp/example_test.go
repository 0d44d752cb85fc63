package amqp_test

import (
	"context"
	"log"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
)

// A publisher for the relay and a consumer feeding a handler.
func Example() {
	ctx := context.Background()
	cfg := amqp.Config{URL: "amqp://guest:guest@127.0.0.1:5672/", Exchange: "events"}

	pub := amqp.NewPublisher(cfg)
	defer pub.Close()
	n, err := pub.Publish(ctx, []outbox.Message{{ID: "0190a0c4-7d", Topic: "orders.created", Payload: []byte(`{"id":7}`)}})
	if err != nil {
		log.Printf("%d published, then: %v", n, err) // the relay retries the rest
	}

	// Runs until ctx is cancelled, reconnecting as needed.
	err = amqp.Consume(ctx, cfg, "orders", func(ctx context.Context, m outbox.Message) error {
		log.Printf("order created: %s", m.Payload)
		return nil // ack; an error nacks and requeues
	})
	if err != nil {
		log.Fatal(err) // the queue does not exist or access is refused
	}
}
