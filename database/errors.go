package database

import "errors"

var (
	// ErrUnsupportedURL is returned by Open for a URL whose scheme it does not
	// know or whose form it cannot read.
	ErrUnsupportedURL = errors.New("database: unsupported database URL")

	// ErrConnect is returned by Open when the server cannot be reached or
	// refuses the connection.
	ErrConnect = errors.New("database: cannot connect")

	// ErrPoolTimeout is returned by a statement or transaction that waited
	// longer than Config.PoolTimeout for a free connection: all
	// PoolSize+MaxOverflow connections were in use. Raise the pool size,
	// shorten transactions, or look for connections that are never returned
	// (rows left open, transactions never committed).
	ErrPoolTimeout = errors.New("database: timed out waiting for a free connection")

	// ErrInvalidConfig is returned by FromEnv for an environment variable
	// whose value cannot be read, and by OpenAll for an empty or missing
	// connection name.
	ErrInvalidConfig = errors.New("database: invalid configuration")

	// ErrUnknownConnection is returned by Connections.Get for a name that
	// was not opened.
	ErrUnknownConnection = errors.New("database: unknown connection name")

	// ErrConstraint is matched (errors.Is) by every [*ConstraintError],
	// whatever its kind.
	ErrConstraint = errors.New("database: constraint violated")

	// ErrNotNullViolated is matched by a [*ConstraintError] of kind
	// [NotNull]: GORM has no sentinel of its own for it.
	ErrNotNullViolated = errors.New("violates not-null constraint")
)
