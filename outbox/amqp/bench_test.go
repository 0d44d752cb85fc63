package amqp_test

import (
	"fmt"
	"testing"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
)

// BenchmarkPublish: one Publish of a batch of 100 messages of 256 bytes,
// whole batch in flight against one by one.
func BenchmarkPublish(b *testing.B) {
	for _, inFlight := range []int{0, 1} {
		b.Run(fmt.Sprintf("in_flight=%d", inFlight), func(b *testing.B) {
			top := newTopology(b)
			pub := amqp.NewPublisher(amqp.Config{URL: top.url, Exchange: top.exchange, InFlight: inFlight})
			defer pub.Close()
			batch := make([]outbox.Message, 100)
			for i := range batch {
				batch[i] = outbox.Message{ID: fmt.Sprint(i), Topic: top.key, Payload: make([]byte, 256)}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if n, err := pub.Publish(b.Context(), batch); n != len(batch) || err != nil {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "msgs/s")
			b.StopTimer()
			if _, err := top.ch.QueuePurge(top.queue, false); err != nil {
				b.Fatal(err)
			}
		})
	}
}
