package database

import (
	"strings"

	"gorm.io/gorm"
)

// ConstraintKind is the kind of integrity constraint a statement violated.
type ConstraintKind int

const (
	// Unique is a unique constraint, unique index or primary key. Matches
	// gorm.ErrDuplicatedKey.
	Unique ConstraintKind = iota + 1
	// ForeignKey is a foreign key. Matches gorm.ErrForeignKeyViolated.
	ForeignKey
	// NotNull is a NOT NULL column. Matches [ErrNotNullViolated].
	NotNull
	// Check is a CHECK constraint. Matches gorm.ErrCheckConstraintViolated.
	Check
)

// String returns the kind as written in SQL: "unique", "foreign key",
// "not null", "check".
func (k ConstraintKind) String() string {
	switch k {
	case Unique:
		return "unique"
	case ForeignKey:
		return "foreign key"
	case NotNull:
		return "not null"
	case Check:
		return "check"
	}
	return "unknown"
}

// sentinel is the error a kind matches with errors.Is.
func (k ConstraintKind) sentinel() error {
	switch k {
	case Unique:
		return gorm.ErrDuplicatedKey
	case ForeignKey:
		return gorm.ErrForeignKeyViolated
	case NotNull:
		return ErrNotNullViolated
	case Check:
		return gorm.ErrCheckConstraintViolated
	}
	return nil
}

// ConstraintError is the error of a statement that violated an integrity
// constraint, on PostgreSQL and SQLite alike. Open turns every constraint
// violation into one (through GORM's error translation), so:
//
//	errors.Is(err, gorm.ErrDuplicatedKey)           // Kind == Unique
//	errors.Is(err, gorm.ErrForeignKeyViolated)      // Kind == ForeignKey
//	errors.Is(err, gorm.ErrCheckConstraintViolated) // Kind == Check
//	errors.Is(err, database.ErrNotNullViolated)     // Kind == NotNull
//	errors.Is(err, database.ErrConstraint)          // any kind
//
// and errors.As reaches the driver's own error (*pgconn.PgError or
// sqlite3.Error) through Unwrap.
//
// What is known depends on the database. PostgreSQL names the constraint
// and the table for every kind, and the columns of unique violations (from
// the error detail) and not-null violations. SQLite names the table and the
// columns of unique and not-null violations and the constraint of a check
// violation (when the constraint has a name), but nothing at all for a
// foreign-key violation: there every field but Kind is empty.
type ConstraintError struct {
	// Kind is the kind of constraint.
	Kind ConstraintKind
	// Constraint is the constraint's name, "" when the database does not
	// say (SQLite, except for named CHECK constraints).
	Constraint string
	// Table is the table the statement wrote, "" when unknown.
	Table string
	// Columns are the constrained columns where the database says them
	// (unique and not null), in the constraint's order.
	Columns []string
	// Err is the driver's error.
	Err error
}

// Column returns the constrained column when there is exactly one, else "".
func (e *ConstraintError) Column() string {
	if len(e.Columns) == 1 {
		return e.Columns[0]
	}
	return ""
}

// Error describes the violation. It never contains the offending values.
func (e *ConstraintError) Error() string {
	var b strings.Builder
	b.WriteString("database: ")
	b.WriteString(e.Kind.String())
	b.WriteString(" constraint")
	if e.Constraint != "" {
		b.WriteString(" " + quote(e.Constraint))
	}
	b.WriteString(" violated")
	var where []string
	if e.Table != "" {
		where = append(where, "table "+quote(e.Table))
	}
	if len(e.Columns) == 1 {
		where = append(where, "column "+quote(e.Columns[0]))
	} else if len(e.Columns) > 1 {
		where = append(where, "columns "+quote(strings.Join(e.Columns, ", ")))
	}
	if len(where) > 0 {
		b.WriteString(" (" + strings.Join(where, ", ") + ")")
	}
	return b.String()
}

// Unwrap returns the driver's error.
func (e *ConstraintError) Unwrap() error { return e.Err }

// Is reports whether target is ErrConstraint or the sentinel of e's kind.
func (e *ConstraintError) Is(target error) bool {
	return target == ErrConstraint || (target != nil && target == e.Kind.sentinel())
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
