package scopes

import (
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/pagination"
)

// Limits on a sort spec.
const (
	// MaxSortKeys is the most keys a client may sort by; the primary key
	// appended as a tie-breaker does not count.
	MaxSortKeys = 4
	// MaxSortSpecLength is the longest sort spec accepted.
	MaxSortSpecLength = 256
)

// Sort returns a scope that orders the query by spec, a comma-separated list
// of column names each optionally prefixed with - (descending) or +
// (ascending, the default) and optionally followed by :nullsfirst or
// :nullslast (where NULLs go; last by default): "-created_at,name",
// "-score:nullsfirst,name". [pagination.Order.String] writes the same syntax.
//
// Only the allowed column names are accepted (each must also be a column of
// the model, or "Assoc.column", a column of a belongs-to or has-one
// association, joined as Filter joins it); at most MaxSortKeys keys, none
// twice. The primary key is appended when missing, in the direction of the
// last key, so that the order is total and pages never repeat or skip rows.
// NULLs sort last in both directions on every database unless the key says
// :nullsfirst. An empty spec orders by the primary key (and is rejected on a
// model without one). The scope replaces
// any ORDER BY already on the query. [SortKeys] also accepts declared
// expressions.
//
// A rejected spec adds an error matching ErrInvalidFilter to the query.
// When the spec is at fault (an unknown or repeated field, a bad modifier,
// too many keys, too long) it is a [*ParamError] of the parameter "sort",
// the one [Sorting] declares, e.g.
//
//	scopes: sort: unknown field "passwd" (allowed: name, created_at)
//
// An allowed field the model lacks is the program's mistake, and no
// ParamError.
func Sort(spec string, allowed ...string) func(*gorm.DB) *gorm.DB {
	return SortKeys{Fields: allowed}.Sort(spec)
}

// ParseSort checks spec against the allowed column names and the model s and
// returns the order it names, the primary key appended (see [Sort]). Errors
// match ErrInvalidFilter; those of the spec are [*ParamError]s of "sort".
func ParseSort(s *schema.Schema, spec string, allowed []string) ([]pagination.Order, error) {
	return SortKeys{Fields: allowed}.Parse(s, spec)
}

// SortKeys are the keys clients may sort by: column names, as [Sort] takes
// them, and expressions the program declares with [pagination.Expr], which
// clients name and the code supplies:
//
//	var byDomain = pagination.Expr[string]("email_domain", `LOWER(substr(email, instr(email, '@') + 1))`)
//	keys := scopes.SortKeys{Fields: []string{"name", "Customer.name"}, Exprs: []pagination.Expression{byDomain}}
//	db.Scopes(keys.Sort("-email_domain,name"))
//
// An expression's name must differ from the model's columns and from
// Fields. Its zero value allows no key (primary-key order only).
type SortKeys struct {
	Fields []string                // the model's columns and "Assoc.column"
	Exprs  []pagination.Expression // declared expressions
}

// Sort returns the scope ordering the query by spec, as [Sort] does, with
// k's fields and expressions allowed.
func (k SortKeys) Sort(spec string) func(*gorm.DB) *gorm.DB {
	return k.scope(clientSort, spec)
}

// sortSource says where a sort spec comes from, for its errors: a client's
// query parameter, whose errors are ParamErrors, or the program.
type sortSource struct {
	name   string // "sort", or "default sort"
	client bool
}

var (
	clientSort  = sortSource{name: "sort", client: true}
	defaultSort = sortSource{name: "default sort"}
)

// reject returns the error of a spec from src that failed rule: a
// *ParamError when a client sent it, or a plain ErrInvalidFilter.
func (src sortSource) reject(rule, format string, args ...any) error {
	if src.client {
		return rejectParam(src.name, rule, format, args...)
	}
	return invalid("%s: %s", src.name, fmt.Sprintf(format, args...))
}

// scope is Sort, reporting errors of spec as coming from src.
func (k SortKeys) scope(src sortSource, spec string) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		s, err := modelSchema(db)
		if err == nil {
			err = k.apply(db, s, src, spec)
		}
		if err != nil {
			_ = db.AddError(err)
		}
		return db
	}
}

func (k SortKeys) apply(db *gorm.DB, s *schema.Schema, src sortSource, spec string) error {
	order, err := k.parse(s, src, spec)
	if err != nil {
		return err
	}
	if err := pagination.ApplyOrder(db, s, order); err != nil {
		return invalid("%w", err)
	}
	return nil
}

// Parse checks spec against k and the model s and returns the order it
// names, the primary key appended (see [Sort]). Errors match
// ErrInvalidFilter, among them an empty spec on a model without a primary
// key; those of the spec are [*ParamError]s of "sort".
func (k SortKeys) Parse(s *schema.Schema, spec string) ([]pagination.Order, error) {
	return k.parse(s, clientSort, spec)
}

// parse is Parse, reporting errors of spec as coming from src.
func (k SortKeys) parse(s *schema.Schema, src sortSource, spec string) ([]pagination.Order, error) {
	if len(spec) > MaxSortSpecLength {
		return nil, src.reject("too_long", "must be at most %d bytes long (got %d bytes)", MaxSortSpecLength, len(spec))
	}
	if err := k.check(s); err != nil {
		return nil, err
	}
	order := make([]pagination.Order, 0, MaxSortKeys+len(s.PrimaryFields))
	for rest, more := spec, strings.TrimSpace(spec) != ""; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		o, err := k.parseKey(src, spec, part, order)
		if err != nil {
			return nil, err
		}
		order = append(order, o)
	}
	if len(order) > MaxSortKeys {
		return nil, src.reject("too_many", "must have at most %d fields (got %d)", MaxSortKeys, len(order))
	}
	if order = withPrimaryKey(s, order); len(order) == 0 {
		return nil, invalid("sort: empty, and the model %s has no primary key to sort by; give a sort field (allowed: %s)", s.Name, k.names())
	}
	return order, nil
}

// expr returns the declared expression called name.
func (k SortKeys) expr(name string) *pagination.Expression {
	for i := range k.Exprs {
		if k.Exprs[i].Name() == name {
			e := k.Exprs[i]
			return &e
		}
	}
	return nil
}

// names lists every key a client may send, for messages.
func (k SortKeys) names() string {
	names := slices.Clone(k.Fields)
	for _, e := range k.Exprs {
		names = append(names, e.Name())
	}
	return strings.Join(names, ", ")
}

// parseKey reads one key, part, of spec.
func (k SortKeys) parseKey(src sortSource, spec, part string, seen []pagination.Order) (pagination.Order, error) {
	name := strings.TrimSpace(part)
	var o pagination.Order
	if rest, ok := strings.CutPrefix(name, "-"); ok {
		name, o.Desc = rest, true
	} else {
		name = strings.TrimPrefix(name, "+")
	}
	name, modifier, hasModifier := strings.Cut(name, ":")
	if name == "" {
		return o, src.reject("empty_field", "has an empty field (got %s)", quote(spec))
	}
	if o.Expr = k.expr(name); o.Expr == nil && !slices.Contains(k.Fields, name) {
		return o, src.reject("unknown_field", "unknown field %s (allowed: %s)", quote(name), k.names())
	}
	if hasModifier {
		first, err := nullsFirst(src, name, modifier)
		if err != nil {
			return o, err
		}
		o.NullsFirst = first
	}
	if hasColumn(seen, name) {
		return o, src.reject("duplicate_field", "field %s given twice", quote(name))
	}
	o.Column = name
	return o, nil
}

// nullsFirst reads the modifier after a sort field's colon: nullsfirst or
// nullslast, exactly.
func nullsFirst(src sortSource, name, modifier string) (bool, error) {
	switch modifier {
	case pagination.NullsFirstModifier:
		return true, nil
	case pagination.NullsLastModifier:
		return false, nil
	}
	return false, src.reject("modifier", "field %s has an unknown modifier %s (allowed: %s, %s)",
		quote(name), quote(modifier), pagination.NullsFirstModifier, pagination.NullsLastModifier)
}

// check makes sure each allowed field is a column of s or of one of its
// belongs-to or has-one associations, and each expression's name is none:
// a mistake in the program, reported as such.
func (k SortKeys) check(s *schema.Schema) error {
	for _, name := range k.Fields {
		if _, _, err := keyColumn(s, name); err != nil && !strings.Contains(name, ".") {
			return invalid("sort field %s is allowed but the model %s has no such column", quote(name), s.Name)
		} else if err != nil {
			return invalid("sort field %s is allowed but %v", quote(name), err)
		}
	}
	for i, e := range k.Exprs {
		switch {
		case e.Name() == "":
			return invalid("sort expression %d is not declared: use pagination.Expr", i)
		case column(s, e.Name()) != nil || slices.Contains(k.Fields, e.Name()):
			return invalid("sort expression %s has the name of a column or sort field of %s; rename it", quote(e.Name()), s.Name)
		case slices.IndexFunc(k.Exprs, func(x pagination.Expression) bool { return x.Name() == e.Name() }) != i:
			return invalid("sort expression %s is declared twice", quote(e.Name()))
		}
	}
	return nil
}

// withPrimaryKey appends the primary key columns not already in order, in
// the direction of the last key.
func withPrimaryKey(s *schema.Schema, order []pagination.Order) []pagination.Order {
	desc := len(order) > 0 && order[len(order)-1].Desc
	for _, pk := range s.PrimaryFields {
		if !hasColumn(order, pk.DBName) {
			order = append(order, pagination.Order{Column: pk.DBName, Desc: desc})
		}
	}
	return order
}

func hasColumn(order []pagination.Order, name string) bool {
	for _, o := range order {
		if o.Column == name {
			return true
		}
	}
	return false
}
