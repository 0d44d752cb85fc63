// Package outbox delivers messages only once the transaction that wrote
// them has committed, and makes message handlers idempotent.
//
// Messages are stored in the caller's transaction (see txctx) and a relay
// publishes them to a broker through a [Publisher]; broker publishers live
// in modules of their own (outbox/amqp, outbox/nats, outbox/watermill), so
// this package pulls in no broker client. On the consuming side a
// [Handler] runs each message in a transaction, and an inbox records the
// IDs of the messages handled so that a redelivered one is acknowledged
// without running the handler again.
package outbox
