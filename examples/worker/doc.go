// Worker carries the domain events of the httpapi example from its outbox
// to RabbitMQ, and handles them there: a module of its own, so that the
// core module, httpapi included, never imports a broker client.
//
// Two commands, each a process of its own, on the httpapi example's
// database (a SQLite file or PostgreSQL; both commands need DATABASE_URL
// and AMQP_URL):
//
//	export DATABASE_URL=postgres://postgres@127.0.0.1/test AMQP_URL=amqp://guest:guest@127.0.0.1:5672/
//	go run ./examples/httpapi &                         # with AMQP_URL set it runs no relay of its own
//	cd examples/worker && go run . relay &              # the outbox to RabbitMQ
//	go run . consume                                    # RabbitMQ to the projection
//
// relay runs an outbox.Relay with the outbox/amqp Publisher: each event the
// service committed is published to the topic exchange AMQP_EXCHANGE
// (default [DefaultExchange]) with its type as routing key, and leaves the
// outbox table only once the broker confirmed it. consume reads the queue
// AMQP_QUEUE (default [DefaultQueue], bound to the exchange for every
// routing key) with outbox/amqp's Consume, and handles each event with
// outbox.Idempotent: in one transaction it records the event's ID in the
// inbox ([InboxTable]) and updates the projection [ProjectionTable],
// articles per author. An event delivered twice (the relay crashed after
// the broker took it, or the consumer before its ack) changes the
// projection once. Both commands declare the exchange, the queue and the
// binding at start ([Declare]); consume creates its tables ([Migrate]).
//
// Without AMQP_URL, httpapi publishes its events to its own log instead,
// and this module is not needed. On SQLite, run one relay per database
// file; it finds the events of the service's process at its poll
// (outbox.DefaultPollInterval), PostgreSQL's NOTIFY wakes it at once.
package main
