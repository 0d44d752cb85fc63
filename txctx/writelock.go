package txctx

import (
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// SQLite has one writer, and its locks keep a RunNew inside a transaction
// from writing whatever the mode gormext's database.Open sets:
//
//   - a file uses WAL and BEGIN IMMEDIATE: the outer transaction holds the
//     write lock from its BEGIN, so RunNew's own BEGIN IMMEDIATE waits the
//     busy timeout and fails, before RunNew has done anything;
//   - the in-memory database (memdb) uses deferred transactions, and its
//     locks exclude readers and writers from each other: once the outer
//     transaction has written, RunNew cannot even begin; once it has read,
//     RunNew's COMMIT cannot take the lock.
//
// Both fail after the busy timeout with "database is locked". The advice is
// the same for both: move the RunNew out of the transaction, or record the
// work in AfterCommit / AfterRollback, which run once the lock is released.

const (
	adviceInside = "RunNew inside a transaction cannot write on SQLite once the outer transaction has begun " +
		"(a SQLite file uses BEGIN IMMEDIATE) or run a statement (the in-memory database): " +
		"call RunNew before or after the outer transaction, or record the work with AfterCommit/AfterRollback"
	adviceOutside = "another transaction held the lock for longer than the busy timeout: " +
		"keep write transactions short, or raise the busy timeout"
)

// classifyWriteLock turns a RunNew failure caused by SQLite's locks into
// ErrWriteLocked, with the advice that holds where RunNew was called (s is
// the caller's scope). A failed COMMIT is reported as the lock failure
// alone: ErrCommit would name a second cause for one event.
func classifyWriteLock(s *scope, err error) error {
	inside := s.frame != nil
	switch {
	case isSQLiteLocked(err):
	case inside && isSQLiteStaleSchema(s.db, err):
		// The connection's schema is stale and SQLite re-reads it only
		// under a lock the outer transaction keeps it from taking.
	default:
		return err
	}
	advice := adviceOutside
	if inside {
		advice = adviceInside
	}
	if cause, ok := withoutSentinel(err, ErrCommit); ok {
		return fmt.Errorf("%w (%s): COMMIT: %w", ErrWriteLocked, advice, cause)
	}
	return fmt.Errorf("%w (%s): %w", ErrWriteLocked, advice, err)
}

// withoutSentinel returns what err wraps beside sentinel, for errors built
// as fmt.Errorf("%w: %w", sentinel, cause).
func withoutSentinel(err, sentinel error) (error, bool) {
	var multi interface{ Unwrap() []error }
	if !errors.As(err, &multi) {
		return nil, false
	}
	parts := multi.Unwrap()
	if len(parts) != 2 || parts[0] != sentinel {
		return nil, false
	}
	return parts[1], true
}

// isSQLiteStaleSchema reports SQLite's "no such table" from a connection
// that last read the schema before the table was created: SQLite re-reads
// it only under a read lock, which a RunNew inside a transaction that holds
// the write lock cannot take on the in-memory database. The same RunNew on
// a connection with a fresh schema fails with "database is locked".
func isSQLiteStaleSchema(db *gorm.DB, err error) bool {
	return db.Dialector != nil && db.Dialector.Name() == "sqlite" && strings.Contains(err.Error(), "no such table")
}
