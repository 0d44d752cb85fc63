package watermill_test

import (
	"context"
	"fmt"

	wm "github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/watermill"
)

// Any Watermill publisher as the relay's outbox.Publisher, and a Watermill
// subscriber feeding an outbox.Handler; here the in-process gochannel.
func Example() {
	ps := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, wm.NopLogger{})
	defer ps.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	pub := watermill.NewPublisher(ps)
	n, err := pub.Publish(ctx, []outbox.Message{{ID: "0190a0c4-7d", Topic: "orders", Key: "order-7", Payload: []byte(`{"id":7}`)}})
	fmt.Println("published:", n, err)

	_ = watermill.Consume(ctx, ps, "orders", func(_ context.Context, m outbox.Message) error {
		fmt.Printf("handled %s (key %s): %s\n", m.ID, m.Key, m.Payload)
		cancel() // stop after one message
		return nil
	}, nil)
	// Output:
	// published: 1 <nil>
	// handled 0190a0c4-7d (key order-7): {"id":7}
}
