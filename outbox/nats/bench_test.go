package nats_test

import (
	"fmt"
	"testing"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/nats"
)

// BenchmarkPublish: one Publish of a batch of 100 messages of 256 bytes
// (new IDs each time, so none is dropped as a duplicate), whole batch in
// flight against one by one.
func BenchmarkPublish(b *testing.B) {
	for _, inFlight := range []int{0, 1} {
		b.Run(fmt.Sprintf("in_flight=%d", inFlight), func(b *testing.B) {
			s := newStream(b)
			pub, err := nats.NewPublisher(s.nc, nats.PublisherConfig{InFlight: inFlight})
			if err != nil {
				b.Fatal(err)
			}
			batch := make([]outbox.Message, 100)
			round := 0
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				round++
				for i := range batch {
					batch[i] = outbox.Message{ID: fmt.Sprint(round, "-", i), Topic: s.subject("bench"), Payload: make([]byte, 256)}
				}
				b.StartTimer()
				if n, err := pub.Publish(b.Context(), batch); n != len(batch) || err != nil {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
