package migratetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/migrate"
)

// Apply applies every pending migration of src to db, and fails tb (Fatal)
// when one fails.
func Apply(tb testing.TB, db *gorm.DB, src *migrate.Source) {
	tb.Helper()
	m, err := migrate.New(db, src)
	if err != nil {
		tb.Fatalf("migratetest: %v", err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		tb.Fatalf("migratetest: applying the migrations: %v", err)
	}
}

// AssertUpToDate applies src to db, then compares the schema with what the
// models need, and fails tb (Error) listing the statements a new migration
// would need when they differ.
func AssertUpToDate(tb testing.TB, db *gorm.DB, src *migrate.Source, models ...any) {
	tb.Helper()
	Apply(tb, db, src)
	err := migrate.Check(context.Background(), db, models, migrate.DiffOptions{})
	var drift *migrate.DriftError
	switch {
	case errors.As(err, &drift):
		tb.Errorf("migratetest: the migrations do not build the schema the models need; a new migration would run:\n\t%s",
			strings.Join(drift.Statements, ";\n\t"))
	case err != nil:
		tb.Fatalf("migratetest: comparing the schema with the models: %v", err)
	}
}
