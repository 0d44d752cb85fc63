package database

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// TestTranslateLeavesOtherErrorsAlone: GORM's own errors, context errors
// and errors of the program come back from Translate as they went in, with
// no allocation (GORM translates gorm.ErrInvalidTransaction in every write
// inside a transaction, and gorm.ErrRecordNotFound on every First that
// finds nothing); driver errors are still translated.
func TestTranslateLeavesOtherErrorsAlone(t *testing.T) {
	for name, tr := range map[string]translator{
		"sqlite":   {sqlite.Open(":memory:")},
		"postgres": {postgres.Open("host=127.0.0.1")},
	} {
		t.Run(name, func(t *testing.T) {
			for _, err := range []error{
				gorm.ErrInvalidTransaction, gorm.ErrRecordNotFound, context.Canceled,
				fmt.Errorf("wrapped: %w", gorm.ErrRecordNotFound), errors.Join(errors.New("a"), context.DeadlineExceeded),
			} {
				if got := tr.Translate(err); got != err {
					t.Errorf("Translate(%v) = %v, want it unchanged", err, got)
				}
				if n := testing.AllocsPerRun(20, func() { _ = tr.Translate(err) }); n != 0 {
					t.Errorf("Translate(%v) allocates %.0f times, want 0", err, n)
				}
			}
			unique := map[string]error{
				"sqlite":   sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique},
				"postgres": &pgconn.PgError{Code: "23505", ConstraintName: "users_email_key"},
			}[name]
			for _, err := range []error{unique, fmt.Errorf("insert: %w", unique), errors.Join(errors.New("a"), unique)} {
				got := tr.Translate(err)
				var ce *ConstraintError
				if !errors.As(got, &ce) || ce.Kind != Unique || !errors.Is(got, gorm.ErrDuplicatedKey) {
					t.Errorf("Translate(%v) = %v, want a unique *ConstraintError matching gorm.ErrDuplicatedKey", err, got)
				}
				if again := tr.Translate(got); again != got {
					t.Errorf("Translate of a *ConstraintError = %v, want it unchanged", again)
				}
			}
		})
	}
}
