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
//
// # Producer
//
// [Add] (or [Store.Add] for another table) inside txctx.Run buffers the
// message in the transaction; just before COMMIT the transaction's
// messages are written in one statement (txctx.BeforeCommit). A message
// therefore exists if and only if its transaction committed, and one
// added in a savepoint that rolls back is dropped with it. On PostgreSQL,
// through database.Open's pool, that statement travels in the same round
// trip as the COMMIT (see database.AtCommit): a failure of it is then the
// commit's, txctx.ErrCommit, with nothing committed. Outside a
// transaction Add returns [ErrNoTransaction]; invalid input is refused
// with [ErrInvalidTopic], [ErrInvalidKey], [ErrPayloadTooLarge] or
// [ErrInvalidHeader], storing nothing.
//
// # Relay
//
// [NewRelay] and [Relay.Run] publish every committed message at least once,
// in order per key. On PostgreSQL the statement that writes a
// transaction's messages takes an advisory lock per key before it takes
// their sequence numbers, so a later transaction with the same key waits
// for the earlier one's COMMIT and a relay never sees a key's messages out
// of order; relays claim a key's messages in order, with claims that
// expire, so several relays in several processes can serve one table.
// Failed publications are retried with capped backoff and jitter; a
// message that keeps failing is moved to a dead state with its last
// error. The relay wakes on commits in its process, on LISTEN/NOTIFY from
// other processes (PostgreSQL, pgx), and polls as a fallback.
//
// # Consumer
//
// [Transactional] and [TransactionalJob] run a handler or a scheduled job
// in txctx.Run with retries on serialization failures; errors and panics
// roll back and are returned, so the broker redelivers. [Idempotent] adds
// the inbox: each message's effects happen once however often it is
// delivered.
//
// The guarantees, failure by failure, and the operational knobs are in
// docs/messaging.md. [AutoMigrate] creates the tables; [Schema] returns
// their SQL for migration tools.
package outbox
