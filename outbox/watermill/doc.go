// Package watermill adapts Watermill (github.com/ThreeDotsLabs/watermill)
// to the outbox: [NewPublisher] turns any Watermill message.Publisher
// (Kafka, Google Pub/Sub, SQS, Redis Streams, ... and the in-process
// gochannel) into an [outbox.Publisher], and [Consume] and [HandlerFunc]
// feed the messages of a Watermill subscriber or router to an
// [outbox.Handler]. It is a module of its own so that the core module never
// pulls Watermill in.
//
// The Watermill message's UUID is Message.ID; its metadata are the
// message's headers, plus Message.Key under [KeyMetadata] and CreatedAt
// under [CreatedAtMetadata]. What a published message is guaranteed to
// reach is the Watermill publisher's own contract: Publish counts a message
// once that publisher's Publish returned nil for it.
//
//	pub := watermill.NewPublisher(kafkaPublisher)
//	n, err := pub.Publish(ctx, msgs) // msgs[:n] were accepted
//
// On the consuming side a nil error from the handler acks the Watermill
// message; an error or a panic nacks it, and the subscriber delivers it
// again as its own contract says.
package watermill
