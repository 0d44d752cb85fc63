package migrate

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// DriftError lists what db lacks, or has beyond, the models: the
// statements that would reconcile them, or the pending migrations.
type DriftError struct {
	// Pending are migrations not yet applied.
	Pending []string
	// Statements would bring the schema to the models.
	Statements []string
}

func (e *DriftError) Error() string {
	if len(e.Pending) > 0 {
		return fmt.Sprintf("migrate: the database is not up to date: pending %s (run up)", strings.Join(e.Pending, ", "))
	}
	return fmt.Sprintf("migrate: the schema differs from the models; a migration would run:\n\t%s\n(write one with diff)",
		strings.Join(e.Statements, ";\n\t"))
}

func (e *DriftError) Unwrap() error { return ErrDrift }

// Check compares db's schema with what the models need and returns a
// [*DriftError] (ErrDrift) when they differ, nil when they agree. db is
// only read.
func Check(ctx context.Context, db *gorm.DB, models []any, opts DiffOptions) error {
	opts.AllowDestructive = true
	p, err := diff(ctx, db, models, opts, false) // only Up tells whether they differ
	if err != nil {
		return err
	}
	if !p.Empty() {
		return &DriftError{Statements: p.Up}
	}
	return nil
}

// CheckPending returns a [*DriftError] when m has migrations not applied
// to its database.
func (m *Migrator) CheckPending(ctx context.Context) error {
	pending, err := m.Pending(ctx, 0)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return nil
	}
	names := make([]string, len(pending))
	for i, mg := range pending {
		names[i] = mg.Source
	}
	return &DriftError{Pending: names}
}
