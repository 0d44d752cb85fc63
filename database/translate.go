package database

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
)

// translator wraps a driver's gorm.Dialector to turn constraint violations
// into [*ConstraintError]. GORM calls Translate from AddError because Open
// sets TranslateError. The optional interfaces GORM looks for on a
// dialector (savepoints, config hook) are forwarded explicitly: embedding
// alone would promote only the methods of gorm.Dialector itself.
type translator struct {
	gorm.Dialector
}

// Translate implements gorm.ErrorTranslator. Errors that are not constraint
// violations go to the driver's own translator, if it has one.
//
// GORM passes every error of a statement through here, its own included
// (gorm.ErrRecordNotFound on a First that finds nothing, and
// gorm.ErrInvalidTransaction for the transaction every write inside a
// transaction tries to begin). Only an error whose chain holds a driver's
// error can need translating; any other is returned as it is, without
// allocating, where the drivers' translators would encode it as JSON to
// look for an error code.
func (t translator) Translate(err error) error {
	switch driverError(err).(type) {
	case nil, *ConstraintError:
		return err
	}
	if ce := constraintError(err); ce != nil {
		return ce
	}
	if inner, ok := t.Dialector.(gorm.ErrorTranslator); ok {
		return inner.Translate(err)
	}
	return err
}

// driverError returns the first error in err's chain that is a driver's
// error or a *ConstraintError already made, or nil. It walks the chain by
// hand, as errors.As would, without the allocations errors.As costs.
func driverError(err error) error {
	for err != nil {
		switch e := err.(type) {
		case *pgconn.PgError, sqlite3.Error, *sqlite3.Error, *ConstraintError:
			return e
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				if d := driverError(inner); d != nil {
					return d
				}
			}
			return nil
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// SavePoint implements gorm.SavePointerDialectorInterface.
func (t translator) SavePoint(tx *gorm.DB, name string) error {
	if sp, ok := t.Dialector.(gorm.SavePointerDialectorInterface); ok {
		return sp.SavePoint(tx, name)
	}
	return gorm.ErrUnsupportedDriver
}

// RollbackTo implements gorm.SavePointerDialectorInterface.
func (t translator) RollbackTo(tx *gorm.DB, name string) error {
	if sp, ok := t.Dialector.(gorm.SavePointerDialectorInterface); ok {
		return sp.RollbackTo(tx, name)
	}
	return gorm.ErrUnsupportedDriver
}

// Apply forwards the driver's adjustments of the GORM config (PostgreSQL
// shortens identifiers to 63 bytes there).
func (t translator) Apply(cfg *gorm.Config) error {
	if a, ok := t.Dialector.(interface{ Apply(*gorm.Config) error }); ok {
		return a.Apply(cfg)
	}
	return nil
}

// constraintError returns the *ConstraintError for a driver error in err's
// chain, or nil when err is no constraint violation.
func constraintError(err error) *ConstraintError {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return fromPostgres(err, pg)
	}
	var lite sqlite3.Error
	if errors.As(err, &lite) {
		return fromSQLite(err, lite)
	}
	return nil
}

var postgresKinds = map[string]ConstraintKind{
	"23505": Unique,
	"23503": ForeignKey,
	"23502": NotNull,
	"23514": Check,
}

func fromPostgres(err error, pg *pgconn.PgError) *ConstraintError {
	kind, ok := postgresKinds[pg.Code]
	if !ok {
		return nil
	}
	ce := &ConstraintError{Kind: kind, Constraint: pg.ConstraintName, Table: pg.TableName, Err: err}
	if pg.ColumnName != "" {
		ce.Columns = []string{pg.ColumnName}
	} else {
		ce.Columns = detailColumns(pg.Detail)
	}
	return ce
}

// detailColumns reads the key columns from a PostgreSQL error detail such
// as `Key (a, b)=(1, 2) already exists.`; nil when the detail has no key.
func detailColumns(detail string) []string {
	rest, ok := strings.CutPrefix(detail, "Key (")
	if !ok {
		return nil
	}
	cols, _, ok := strings.Cut(rest, ")=(")
	if !ok || cols == "" {
		return nil
	}
	return strings.Split(cols, ", ")
}

var sqliteKinds = map[sqlite3.ErrNoExtended]ConstraintKind{
	sqlite3.ErrConstraintUnique:     Unique,
	sqlite3.ErrConstraintPrimaryKey: Unique,
	sqlite3.ErrConstraintForeignKey: ForeignKey,
	sqlite3.ErrConstraintNotNull:    NotNull,
	sqlite3.ErrConstraintCheck:      Check,
}

// fromSQLite reads SQLite's messages: "UNIQUE constraint failed: t.a, t.b",
// "NOT NULL constraint failed: t.a", "CHECK constraint failed: name" and
// "FOREIGN KEY constraint failed" (which names nothing).
func fromSQLite(err error, lite sqlite3.Error) *ConstraintError {
	kind, ok := sqliteKinds[lite.ExtendedCode]
	if !ok {
		return nil
	}
	ce := &ConstraintError{Kind: kind, Err: err}
	_, subject, found := strings.Cut(lite.Error(), " constraint failed: ")
	if !found || subject == "" {
		return ce
	}
	if kind == Check {
		ce.Constraint = subject
		return ce
	}
	for _, qualified := range strings.Split(subject, ", ") {
		table, column := splitQualified(qualified)
		if ce.Table == "" {
			ce.Table = table
		}
		ce.Columns = append(ce.Columns, column)
	}
	return ce
}

// splitQualified splits "table.column" at its last dot.
func splitQualified(s string) (table, column string) {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}
