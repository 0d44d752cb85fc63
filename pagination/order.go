package pagination

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Order is one key of a sort: a column of the model, its direction, and
// where NULLs go. NULLs go last unless NullsFirst is set, in both
// directions and on every database; columns that cannot hold NULL (the
// primary key, "not null" fields) get no NULLS clause, so a plain index
// serves them in both directions.
//
// Column may also name a column of a belongs-to or has-one association,
// "Customer.name": it is written as "Customer"."name", the alias GORM's
// Joins("Customer") gives the joined table, and the join is added when the
// query lacks it. Its cursor value is read from the association the join
// fills. Or the key may be a declared expression: see [Expr] and
// [Expression.Asc].
type Order struct {
	Column     string // the database column name, e.g. "created_at", or "Assoc.column"
	Desc       bool
	NullsFirst bool
	// Expr, when set, makes the key this expression; Column is then its
	// name (Expression.Asc and Desc set both).
	Expr *Expression
}

// String writes o in the syntax of a sort spec (see scopes.Sort), which
// parses back to o: "name", "-created_at", "-score:nullsfirst".
func (o Order) String() string {
	s := o.Column
	if o.Desc {
		s = "-" + s
	}
	if o.NullsFirst {
		s += ":" + NullsFirstModifier
	}
	return s
}

// The modifiers of a sort spec key that place NULLs: "score:nullsfirst",
// "-score:nullslast". Without one, NULLs go last.
const (
	NullsFirstModifier = "nullsfirst"
	NullsLastModifier  = "nullslast"
)

// ErrUnknownColumn is matched by the error of an Order naming a column the
// model does not have. Package scopes validates sort input before it gets
// here, so seeing it means a programming mistake, not bad client input.
var ErrUnknownColumn = errors.New("pagination: unknown column")

// resolve checks each order's column or expression against s. An empty
// order is ErrInvalidPage: no page can be located without a key.
func resolve(s *schema.Schema, order []Order) ([]key, error) {
	if len(order) == 0 {
		return nil, errEmptyOrder(s)
	}
	keys := make([]key, 0, len(order))
	for _, o := range order {
		k, err := resolveKey(s, o)
		if err != nil {
			return nil, err
		}
		k.col = k.makeColumn()
		k.fits = kindsOf(k.valueType(), k.custom())
		k.read = fieldReadOf(k)
		keys = append(keys, k)
	}
	return keys, nil
}

// OrderBy returns the ORDER BY clause for order on the model s, with each
// column quoted by the dialect and NULLs placed explicitly on nullable
// columns. ApplyOrder (which package scopes uses for offset listings) and
// PaginateCursor use the same rendering, so both kinds of page sort alike.
func OrderBy(s *schema.Schema, order []Order) (clause.OrderBy, error) {
	keys, err := resolve(s, order)
	if err != nil {
		return clause.OrderBy{}, err
	}
	return orderBy(keys), nil
}

// ApplyOrder orders the statement of db (a scope's instance) by order
// on the model s, replacing any ORDER BY, and joins the association of
// each joined key ("Assoc.column") it does not join yet, as a keyset page
// does. The resolved order is cached per model and order. Errors match
// ErrUnknownColumn, or ErrInvalidPage for an empty order.
func ApplyOrder(db *gorm.DB, s *schema.Schema, order []Order) error {
	r, err := keysOf(s, order)
	if err != nil {
		return err
	}
	db.Statement.Clauses["ORDER BY"] = r.order // replaces any other, as delete and AddClause would
	joinKeys(db, r.keys, false)
	return nil
}

func orderBy(keys []key) clause.OrderBy {
	var sql strings.Builder
	sql.Grow(len(keys) * len("?, DESC NULLS FIRST"))
	vars := make([]any, 0, len(keys))
	for i, k := range keys {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("?")
		sql.WriteString(direction(k.Desc))
		if k.nullable() {
			sql.WriteString(nulls(k.NullsFirst))
		}
		vars = append(vars, k.column())
	}
	return clause.OrderBy{Expression: clause.Expr{SQL: sql.String(), Vars: vars, WithoutParentheses: true}}
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return " ASC"
}

func nulls(first bool) string {
	if first {
		return " NULLS FIRST"
	}
	return " NULLS LAST"
}

// reversed returns keys with every direction and NULL placement flipped:
// the order that walks the same rows backwards.
func reversed(keys []key) []key {
	out := make([]key, len(keys))
	for i, k := range keys {
		k.Desc, k.NullsFirst = !k.Desc, !k.NullsFirst
		out[i] = k
	}
	return out
}

// modelSchema parses the model of db's statement (or T's, when it has none).
func modelSchema(db *gorm.DB, fallback any) (*schema.Schema, error) {
	model := db.Statement.Model
	if model == nil {
		model = fallback
	}
	return parseSchema(db, model)
}

// parseSchema parses the schema of value through db's schema cache.
func parseSchema(db *gorm.DB, value any) (*schema.Schema, error) {
	// Only the schema is read: a Table set beforehand spares Parse working
	// out the statement's own, so Parse sets nothing else and the probe
	// can serve again.
	probe := probes.Get().(*gorm.Statement)
	probe.DB = db
	err := probe.Parse(value)
	s := probe.Schema
	probe.DB, probe.Schema = nil, nil
	probes.Put(probe)
	if err != nil {
		return nil, fmt.Errorf("pagination: reading the model: %w", err)
	}
	return s, nil
}

// probes are statements for parseSchema, their Table set.
var probes = sync.Pool{New: func() any { return &gorm.Statement{Table: "-"} }}
