package txctx

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// A statement interrupted by its context's end may take the connection with
// it: pgx closes a connection whose statement was cancelled mid-flight, and
// the server then ends the transaction with the connection. The ROLLBACK
// that follows fails with the driver's "connection closed" error, though
// nothing is left to roll back. Such a failure is the cancellation's
// consequence, reported as the context's error; ErrRollback is kept for a
// rollback that fails on a live connection, where the transaction's state
// is really unknown.

// lostToCancellation reports a rollback whose failure rerr only says that
// the connection is gone, when the work being rolled back failed because a
// context ended (cause wraps its error), or an earlier savepoint of the
// transaction already lost the connection that way.
func (t *txn) lostToCancellation(cause, rerr error) bool {
	if !connClosed(rerr) {
		return false
	}
	return contextError(cause) != nil || t.lostConn() != nil
}

// lostConn returns the error that recorded the loss of the connection to a
// savepoint's cancellation, or nil.
func (t *txn) lostConn() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lost
}

// loseConn records that the end of savepoint f's context closed the
// connection: the transaction is gone, and the outermost scope reports why.
func (t *txn) loseConn(f *frame, cause error) {
	cerr := contextError(cause)
	if cerr == nil {
		return // lost already, by an enclosed savepoint
	}
	err := fmt.Errorf("txctx: the transaction is lost: its connection was closed when the context of savepoint %s ended: %w", f.savepoint, cerr)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lost == nil {
		t.lost = err
	}
	if t.doomed == nil {
		t.doomed = err
	}
}

// withLoss adds the record of the lost connection to err when err itself
// does not say that a context ended.
func (t *txn) withLoss(err error) error {
	lost := t.lostConn()
	if lost == nil || contextError(err) != nil {
		return err
	}
	return errors.Join(err, lost)
}

// contextError returns context.Canceled or context.DeadlineExceeded when
// err wraps it, else nil.
func contextError(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	}
	return nil
}

// connClosed reports an error saying the connection is closed:
// driver.ErrBadConn, sql.ErrConnDone, or pgx's "conn closed" (matched by
// message, as txctx does not import the drivers).
func connClosed(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	return anyInChain(err, func(e error) bool { return e.Error() == "conn closed" })
}

// anyInChain reports whether match holds for err or any error it wraps,
// following joined errors too.
func anyInChain(err error, match func(error) bool) bool {
	if err == nil {
		return false
	}
	if match(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return anyInChain(u.Unwrap(), match)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if anyInChain(e, match) {
				return true
			}
		}
	}
	return false
}
