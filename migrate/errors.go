package migrate

import (
	"errors"
	"fmt"
	"log/slog"
)

// Sentinel errors. Each error this package returns matches one of them with
// errors.Is; the typed errors below carry the details.
var (
	// ErrInvalidMigration: a migration file or Go migration cannot be
	// loaded (no version in its name, no Up or Down section, empty, ...).
	// Nothing is applied.
	ErrInvalidMigration = errors.New("migrate: invalid migration")
	// ErrDuplicateVersion: two migrations share a version. It is returned
	// together with ErrInvalidMigration.
	ErrDuplicateVersion = errors.New("migrate: duplicate migration version")
	// ErrNoDirectory: the migrations directory does not exist.
	ErrNoDirectory = errors.New("migrate: migrations directory not found")
	// ErrChecksumMismatch: an applied migration's file was edited after it
	// was applied (see [ChecksumError]; Rehash accepts an intended edit).
	ErrChecksumMismatch = errors.New("migrate: applied migration was edited")
	// ErrUnknownVersion: a version named (to up, down or stamp to), or
	// recorded as applied, has no migration.
	ErrUnknownVersion = errors.New("migrate: unknown migration version")
	// ErrMigrationFailed: a statement of a migration failed; the
	// migration was rolled back (see [MigrationError]).
	ErrMigrationFailed = errors.New("migrate: migration failed")
	// ErrIrreversible: down was asked of a migration whose Down section
	// is empty.
	ErrIrreversible = errors.New("migrate: migration cannot be reverted")
	// ErrDrift: the models and the migrated schema differ, or migrations
	// are pending (see [DriftError]).
	ErrDrift = errors.New("migrate: models and schema differ")
	// ErrDestructive: the generated change drops a table or a column, or
	// changes a column's type, and was not allowed (see
	// DiffOptions.AllowDestructive).
	ErrDestructive = errors.New("migrate: destructive change")
	// ErrUnsupportedDialect: the database is neither SQLite nor PostgreSQL.
	ErrUnsupportedDialect = errors.New("migrate: unsupported database")

	// ErrOutOfOrder: a pending migration has a lower version than one
	// already applied (a branch merged after a later version was
	// applied). Up refuses it unless AllowOutOfOrder is given.
	ErrOutOfOrder = errors.New("migrate: pending migration below the applied version")
)

// MigrationError is a failed migration: which one, which statement, and the
// database's error. It matches ErrMigrationFailed and unwraps to the
// database's error.
type MigrationError struct {
	Version int64
	// Source is the file name, or "go:<version>_<name>" for a Go migration.
	Source string
	// Direction is "up" or "down".
	Direction string
	// Index is the 1-based statement number within the section (0 for a Go
	// migration), Line its first line in the file.
	Index, Line int
	// Statement is the statement's text.
	Statement string
	Err       error
}

func (e *MigrationError) Error() string {
	if e.Index == 0 {
		return fmt.Sprintf("migrate: %s (%s): %v", e.Source, e.Direction, e.Err)
	}
	return fmt.Sprintf("migrate: %s (%s), statement %d at line %d: %s: %v",
		e.Source, e.Direction, e.Index, e.Line, abbreviate(e.Statement), e.Err)
}

func (e *MigrationError) Unwrap() []error { return []error{ErrMigrationFailed, e.Err} }

// ChecksumError names an applied migration whose file changed since.
type ChecksumError struct {
	Version          int64
	Source           string
	Applied, Current string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("migrate: %s was edited after it was applied (checksum %.12s, applied %.12s): "+
		"revert the edit and add a new migration, or run rehash if the edit is intended", e.Source, e.Current, e.Applied)
}

func (e *ChecksumError) Unwrap() error { return ErrChecksumMismatch }

// abbreviate shortens a statement for an error message.
func abbreviate(stmt string) string {
	const max = 200
	if len(stmt) <= max {
		return stmt
	}
	return stmt[:max] + "..."
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
