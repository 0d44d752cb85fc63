package scopes

import (
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
// the model); at most MaxSortKeys keys, none twice. The primary key is
// appended when missing, in the direction of the last key, so that the
// order is total and pages never repeat or skip rows. NULLs sort last in
// both directions on every database unless the key says :nullsfirst. An empty spec orders by the primary
// key. The scope replaces any ORDER BY already on the query.
//
// A rejected spec adds an error matching ErrInvalidFilter to the query, e.g.
//
//	scopes: unknown sort field "passwd" (allowed: name, created_at)
func Sort(spec string, allowed ...string) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		s, err := modelSchema(db)
		if err == nil {
			err = applySort(db, s, spec, allowed)
		}
		if err != nil {
			_ = db.AddError(err)
		}
		return db
	}
}

func applySort(db *gorm.DB, s *schema.Schema, spec string, allowed []string) error {
	order, err := ParseSort(s, spec, allowed)
	if err != nil {
		return err
	}
	ob, err := pagination.OrderBy(s, order)
	if err != nil {
		return invalid("%w", err)
	}
	delete(db.Statement.Clauses, "ORDER BY")
	db.Statement.AddClause(ob)
	return nil
}

// ParseSort checks spec against the allowed column names and the model s and
// returns the order it names, the primary key appended (see [Sort]). Errors
// match ErrInvalidFilter.
func ParseSort(s *schema.Schema, spec string, allowed []string) ([]pagination.Order, error) {
	if len(spec) > MaxSortSpecLength {
		return nil, invalid("sort: %d characters; at most %d are allowed", len(spec), MaxSortSpecLength)
	}
	if err := checkAllowed(s, allowed); err != nil {
		return nil, err
	}
	order := make([]pagination.Order, 0, MaxSortKeys+len(s.PrimaryFields))
	for rest, more := spec, strings.TrimSpace(spec) != ""; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		o, err := parseKey(part, allowed, order)
		if err != nil {
			return nil, err
		}
		order = append(order, o)
	}
	if len(order) > MaxSortKeys {
		return nil, invalid("sort: %d keys; at most %d are allowed", len(order), MaxSortKeys)
	}
	return withPrimaryKey(s, order), nil
}

func parseKey(part string, allowed []string, seen []pagination.Order) (pagination.Order, error) {
	name := strings.TrimSpace(part)
	var o pagination.Order
	if rest, ok := strings.CutPrefix(name, "-"); ok {
		name, o.Desc = rest, true
	} else {
		name = strings.TrimPrefix(name, "+")
	}
	name, modifier, hasModifier := strings.Cut(name, ":")
	if name == "" {
		return o, invalid("sort: empty sort field in %s", quote(strings.TrimSpace(part)))
	}
	if !slices.Contains(allowed, name) {
		return o, invalid("unknown sort field %s (allowed: %s)", quote(name), strings.Join(allowed, ", "))
	}
	if hasModifier {
		first, err := nullsFirst(name, modifier)
		if err != nil {
			return o, err
		}
		o.NullsFirst = first
	}
	if hasColumn(seen, name) {
		return o, invalid("sort field %s given twice", quote(name))
	}
	o.Column = name
	return o, nil
}

// nullsFirst reads the modifier after a sort field's colon: nullsfirst or
// nullslast, exactly.
func nullsFirst(name, modifier string) (bool, error) {
	switch modifier {
	case pagination.NullsFirstModifier:
		return true, nil
	case pagination.NullsLastModifier:
		return false, nil
	}
	return false, invalid("sort field %s: unknown modifier %s (allowed: %s, %s)",
		quote(name), quote(modifier), pagination.NullsFirstModifier, pagination.NullsLastModifier)
}

// checkAllowed makes sure each allowed sort field is a column of s: a
// mistake in the program, reported as such.
func checkAllowed(s *schema.Schema, allowed []string) error {
	for _, name := range allowed {
		if column(s, name) == nil {
			return invalid("sort field %s is allowed but the model %s has no such column", quote(name), s.Name)
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
