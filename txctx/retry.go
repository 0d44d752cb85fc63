package txctx

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"
)

// sqlStater is implemented by PostgreSQL errors (pgx's *pgconn.PgError,
// lib/pq's *pq.Error).
type sqlStater interface{ SQLState() string }

// isSerializationFailure reports a PostgreSQL serialization failure (40001)
// or deadlock (40P01): the transaction is lost and may be retried whole.
func isSerializationFailure(err error) bool {
	var s sqlStater
	if !errors.As(err, &s) {
		return false
	}
	code := s.SQLState()
	return code == "40001" || code == "40P01"
}

// IsSerializationFailure reports whether err is a serialization failure or
// a deadlock (PostgreSQL SQLSTATE 40001, 40P01), the errors WithRetry
// retries.
func IsSerializationFailure(err error) bool { return isSerializationFailure(err) }

// isSQLiteLocked reports SQLite's SQLITE_BUSY / SQLITE_LOCKED ("database is
// locked", "database table is locked"), matched by message so that txctx
// does not import the cgo driver.
func isSQLiteLocked(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "database table is locked")
}

// retries reports whether an attempt that ended with err is followed by
// another, of attempts in all (once the backoff, if the context allows it).
func (c *config) retries(err error, attempt, attempts int) bool {
	return err != nil && attempt < attempts && c.retryable(err)
}

func (c *config) retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return isSerializationFailure(err) || (c.retryIf != nil && c.retryIf(err))
}

// backoff is the wait before attempt+1: full jitter over a capped
// exponential.
func (c *config) backoff(attempt int) time.Duration {
	base, max := c.baseDelay, c.maxDelay
	if base <= 0 {
		base = DefaultRetryBaseDelay
	}
	if max <= 0 {
		max = DefaultRetryMaxDelay
	}
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

// sleep waits d, or returns false at once when ctx would end before.
func sleep(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
