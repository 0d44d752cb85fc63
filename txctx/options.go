package txctx

import (
	"context"
	"database/sql"
	"time"
)

// Defaults of the options.
const (
	// DefaultRetryBaseDelay is the first backoff delay of WithRetry.
	DefaultRetryBaseDelay = 5 * time.Millisecond
	// DefaultRetryMaxDelay caps the backoff delay of WithRetry.
	DefaultRetryMaxDelay = 500 * time.Millisecond
	// DefaultPoolWait bounds how long RunNew, called inside a transaction,
	// waits for a free connection (see WithPoolWait).
	DefaultPoolWait = 5 * time.Second
	// RollbackTimeout bounds a rollback sent after the context of the
	// transaction was cancelled.
	RollbackTimeout = 5 * time.Second
)

// Option adjusts Run and RunNew. The zero set of options means: the default
// connection, the database's default isolation level, read-write, no
// timeout, no retry.
type Option func(*config)

type config struct {
	name        string // canonical; meaningful when nameSet
	nameSet     bool
	readOnly    bool
	readOnlySet bool
	isolation   sql.IsolationLevel
	timeout     time.Duration
	durable     bool
	attempts    int
	baseDelay   time.Duration
	maxDelay    time.Duration
	retryIf     func(error) bool
	poolWait    time.Duration
}

func newConfig(opts []Option) config {
	if len(opts) == 0 {
		return config{} // no allocation for the common case
	}
	return applyOptions(opts)
}

func applyOptions(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c
}

// On chooses the connection bound under name with WithNamedDB. The default
// connection (WithDB) is name "" or DefaultName. Without On, Run and
// RunNew use the connection of the innermost Run of ctx (the one DB(ctx)
// returns), and the default connection outside any. Inside fn, DB(ctx) is
// the transaction on the chosen connection.
func On(name string) Option {
	return func(c *config) { c.name, c.nameSet = canonical(name), true }
}

// connection resolves the connection of a Run or RunNew.
func (c *config) connection(ctx context.Context) {
	if !c.nameSet {
		c.name = currentName(ctx)
	}
}

// ReadOnly opens a read-only transaction (SET TRANSACTION READ ONLY on
// PostgreSQL, PRAGMA query_only on SQLite). In a nested Run it only checks
// that the open transaction is read-only too (ErrOptionsConflict if not).
func ReadOnly() Option {
	return func(c *config) { c.readOnly, c.readOnlySet = true, true }
}

// ReadWrite asks for a read-write transaction explicitly; in a nested Run it
// fails with ErrOptionsConflict when the open transaction is read-only.
func ReadWrite() Option {
	return func(c *config) { c.readOnly, c.readOnlySet = false, true }
}

// WithIsolation sets the isolation level of the transaction. SQLite
// transactions are always serializable and ignore it. In a nested Run a
// level other than the open transaction's fails with ErrOptionsConflict.
func WithIsolation(level sql.IsolationLevel) Option {
	return func(c *config) { c.isolation = level }
}

// WithTimeout bounds fn: its context gets this deadline. For the outermost
// Run the deadline covers the whole transaction, retries included. Without
// it, the outermost Run and RunNew take the connection's
// gorm.Config.DefaultTransactionTimeout, when set, as their WithTimeout.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// Durable makes Run fail with ErrDurable when ctx is already inside a
// transaction on the connection, so that a nil error from Run always means
// the work is committed.
func Durable() Option { return func(c *config) { c.durable = true } }

// WithRetry runs the whole outermost fn again, up to attempts times in all,
// when it or the commit fails with a serialization failure or a deadlock
// (PostgreSQL SQLSTATE 40001 and 40P01), waiting between attempts with
// capped exponential backoff and full jitter (see WithRetryBackoff) and
// never past ctx's deadline. The last error is returned when the attempts
// run out. SQLite's "database is locked" is not retried: the driver already
// waited the busy timeout. Only the outermost Run may retry (a nested Run
// with WithRetry fails with ErrRetryInSavepoint). fn must be safe to run
// again: callbacks registered by an attempt that is retried are dropped.
func WithRetry(attempts int) Option { return func(c *config) { c.attempts = attempts } }

// WithRetryBackoff sets the first delay and the cap of WithRetry's backoff
// (defaults DefaultRetryBaseDelay and DefaultRetryMaxDelay).
func WithRetryBackoff(base, max time.Duration) Option {
	return func(c *config) { c.baseDelay, c.maxDelay = base, max }
}

// WithRetryIf adds a condition under which WithRetry retries, beside
// serialization failures and deadlocks.
func WithRetryIf(retryable func(error) bool) Option {
	return func(c *config) { c.retryIf = retryable }
}

// WithPoolWait bounds how long RunNew inside a transaction waits for a
// connection (default DefaultPoolWait) before failing with ErrPoolExhausted.
func WithPoolWait(d time.Duration) Option { return func(c *config) { c.poolWait = d } }

func (c *config) txOptions() *sql.TxOptions {
	if !c.readOnly && c.isolation == sql.LevelDefault {
		return nil
	}
	return &sql.TxOptions{ReadOnly: c.readOnly, Isolation: c.isolation}
}
