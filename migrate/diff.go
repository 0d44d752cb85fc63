package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"gorm.io/gorm"
)

// DiffOptions adjust Diff.
type DiffOptions struct {
	// AllowDestructive lets the plan drop tables and columns and change
	// column types. Without it such a plan fails with ErrDestructive (the
	// Plan is still returned, for its Destructive list).
	AllowDestructive bool
	// Table is the version table, left out of the comparison (default
	// DefaultTable).
	Table string
	// Exclude names further tables to leave out (Atlas glob patterns:
	// "legacy_*").
	Exclude []string
}

// Plan is the change that brings a database's schema to what the models
// need, and the change back.
type Plan struct {
	// Up and Down are the statements, without trailing semicolons.
	Up, Down []string
	// Destructive describes each change of Up that loses data: a dropped
	// table or column, a column whose type changes.
	Destructive []string
	// Renames describes each table or column that Up drops while adding
	// another in its place: if it is a rename, the data would be lost.
	Renames []string
}

// Empty reports whether the schema already matches the models.
func (p *Plan) Empty() bool { return len(p.Up) == 0 }

// Diff compares the schema the models need with db's and plans the change,
// with Atlas's engine: GORM's AutoMigrate creates the models' tables in a
// scratch database (a new in-memory database for SQLite, a temporary schema
// in db's database for PostgreSQL, dropped after), Atlas inspects both
// schemas and plans Up (db → models) and Down (models → db). The
// comparison covers tables, columns (type, nullability, default), primary
// keys, indexes and unique constraints, foreign keys and check
// constraints. db itself is only read.
func Diff(ctx context.Context, db *gorm.DB, models []any, opts DiffOptions) (*Plan, error) {
	return diff(ctx, db, models, opts, true)
}

// diff is Diff; without withDown it leaves Plan.Down empty and unplanned.
func diff(ctx context.Context, db *gorm.DB, models []any, opts DiffOptions, withDown bool) (*Plan, error) {
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	e, err := newEngine(ctx, db)
	if err != nil {
		return nil, err
	}
	defer e.close()
	current, err := e.inspect(ctx, e.schema, opts)
	if err != nil {
		return nil, err
	}
	desired, err := e.desired(ctx, models, opts)
	if err != nil {
		return nil, err
	}
	desired.Name = current.Name
	return e.plan(ctx, current, desired, opts, withDown)
}

func (e *engine) plan(ctx context.Context, current, desired *schema.Schema, opts DiffOptions, withDown bool) (*Plan, error) {
	up, err := e.changes(current, desired)
	if err != nil {
		return nil, err
	}
	p := &Plan{Destructive: destructive(up), Renames: renames(up)}
	if p.Up, err = e.statements(ctx, up); err != nil {
		return nil, err
	}
	if withDown {
		down, err := e.changes(desired, current)
		if err != nil {
			return nil, err
		}
		if p.Down, err = e.statements(ctx, down); err != nil {
			return nil, err
		}
	}
	if len(p.Destructive) > 0 && !opts.AllowDestructive {
		return p, fmt.Errorf("%w: %s (pass --allow-destructive, DiffOptions.AllowDestructive, to write it)",
			ErrDestructive, strings.Join(p.Destructive, "; "))
	}
	return p, nil
}

// changes are what brings from to to, without changes of schema
// attributes (see relevant).
func (e *engine) changes(from, to *schema.Schema) ([]schema.Change, error) {
	c, err := e.drv.SchemaDiff(from, to)
	if err != nil {
		return nil, fmt.Errorf("migrate: comparing schemas: %w", err)
	}
	return relevant(c), nil
}

// statements plans changes as SQL statements, unqualified by schema so
// that they run on whatever schema the connection is set to.
func (e *engine) statements(ctx context.Context, changes []schema.Change) ([]string, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	plan, err := e.drv.PlanChanges(ctx, "diff", changes, func(o *atlasmigrate.PlanOptions) {
		o.SchemaQualifier = new(string)
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: planning the change: %w", err)
	}
	var out []string
	for _, c := range plan.Changes {
		if strings.HasPrefix(c.Cmd, "PRAGMA foreign_keys") {
			continue // no-op in a transaction; the runner handles foreign keys
		}
		out = append(out, c.Cmd)
	}
	return out, nil
}

// relevant drops changes of schema attributes (collation, comments on the
// schema), which a migration of tables does not own.
func relevant(changes []schema.Change) []schema.Change {
	out := changes[:0:0]
	for _, c := range changes {
		if _, ok := c.(*schema.ModifySchema); ok {
			continue
		}
		out = append(out, c)
	}
	return out
}

var errNoModels = errors.New("migrate: no models given: list the GORM models in Config.Models")
