package outbox

import "errors"

var (
	// ErrNoTransaction is returned by Add outside a transaction: a message
	// is stored in the transaction of the work it announces, so call Add
	// inside txctx.Run (or a Middleware request, or a handler wrapped by
	// Transactional).
	ErrNoTransaction = errors.New("outbox: Add outside a transaction: call it inside txctx.Run")

	// ErrInvalidTopic is returned by Add for a topic that is empty, longer
	// than MaxTopicLen bytes, not UTF-8, or holds a space or a control
	// character.
	ErrInvalidTopic = errors.New("outbox: invalid topic")

	// ErrInvalidKey is returned by Add for a key longer than MaxKeyLen
	// bytes, not UTF-8 or holding a NUL byte, and for such a message ID.
	ErrInvalidKey = errors.New("outbox: invalid key")

	// ErrPayloadTooLarge is returned by Add for a payload above the limit
	// (WithMaxPayload, default DefaultMaxPayload).
	ErrPayloadTooLarge = errors.New("outbox: payload too large")

	// ErrInvalidHeader is returned by Add for a header whose name is empty,
	// or whose name or value is not UTF-8 or holds a NUL byte, and for
	// headers larger than MaxHeadersSize bytes in all.
	ErrInvalidHeader = errors.New("outbox: invalid header")

	// ErrInvalidTable is returned for a table name that is not a plain SQL
	// identifier, optionally qualified by a schema (schema.table).
	ErrInvalidTable = errors.New("outbox: invalid table name")

	// ErrHandlerPanic is returned by a handler or job wrapped by
	// Transactional, Idempotent or TransactionalJob that panicked: the
	// transaction was rolled back, and the panic value and stack are in
	// the message.
	ErrHandlerPanic = errors.New("outbox: handler panicked")

	// ErrNoMessageID is returned by a handler wrapped by Idempotent for a
	// message without an ID: the inbox could not tell a redelivery.
	ErrNoMessageID = errors.New("outbox: message without an ID")
)
