// Package nats publishes outbox messages to NATS JetStream and consumes
// them into an [outbox.Handler], with github.com/nats-io/nats.go. It is a
// module of its own so that the core module never pulls in a broker
// client.
//
// A [Publisher] publishes each message on its Topic as subject, with
// Message.ID as the Nats-Msg-Id header, so the stream drops a message it
// already stored within its duplicate window (StreamConfig.Duplicates,
// two minutes by default): a relay that publishes a message again after a
// crash does not store it twice. A message counts as published once the
// stream's PubAck arrived; Publish returns how many leading messages got
// one, as [outbox.Publisher] asks:
//
//	nc, _ := nats.Connect("nats://127.0.0.1:4222")
//	pub, _ := nats.NewPublisher(nc, nats.PublisherConfig{})
//	n, err := pub.Publish(ctx, msgs) // msgs[:n] are stored in a stream
//
// [Consume] runs a handler for each message of a durable pull consumer: nil
// acks it, an error or a panic naks it, so JetStream delivers it again
// (pair it with the inbox to make the handler idempotent).
//
// The connection is the caller's, and so is reconnecting: nats.go
// reconnects by itself. [Connect] dials with the options this package
// suits best: reconnect for ever, and no reconnect buffer, so that a
// publish while the server cannot be reached fails at once instead of
// waiting in a buffer for its PubAck to time out.
package nats
