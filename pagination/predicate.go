package pagination

import (
	"strings"

	"gorm.io/gorm/clause"
)

// after returns the condition "the row comes strictly after values in the
// order keys give".
//
// When every key has one direction and none can hold NULL it is a row-value
// comparison, (a, b) > (?, ?), that an index on (a, b) answers with a range
// scan. Otherwise it is the OR expansion
//
//	a after ? OR (a = ? AND (b after ? OR (b = ? AND ...)))
//
// in which "after" and "=" follow the key's direction and NULL placement:
// with NULLS LAST nothing comes after NULL and NULL comes after every value;
// with NULLS FIRST it is the other way round; NULL equals NULL.
func after(keys []key, values []any) clause.Expression {
	if rowComparable(keys) {
		return rowValue(keys, values)
	}
	var p pred
	p.expand(keys, values)
	return clause.Expr{SQL: p.sql.String(), Vars: p.vars}
}

func rowComparable(keys []key) bool {
	for _, k := range keys {
		if k.nullable() || k.Desc != keys[0].Desc {
			return false
		}
	}
	return true
}

func rowValue(keys []key, values []any) clause.Expression {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ")
	vars := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		vars = append(vars, k.column())
	}
	vars = append(vars, values...)
	return clause.Expr{SQL: "(" + marks + ") " + cmp(keys[0].Desc) + " (" + marks + ")", Vars: vars}
}

func cmp(desc bool) string {
	if desc {
		return "<"
	}
	return ">"
}

// pred accumulates SQL text and its bound values.
type pred struct {
	sql  strings.Builder
	vars []any
}

func (p *pred) add(sql string, vars ...any) {
	p.sql.WriteString(sql)
	p.vars = append(p.vars, vars...)
}

// expand writes "after(k0) OR (eq(k0) AND (expand(rest)))", dropping the
// "after" branch where it is always false.
func (p *pred) expand(keys []key, values []any) {
	k, v := keys[0], values[0]
	p.add("(")
	hasAfter := p.afterKey(k, v)
	if len(keys) > 1 {
		if hasAfter {
			p.add(" OR ")
		}
		p.add("(")
		p.equalKey(k, v)
		p.add(" AND ")
		p.expand(keys[1:], values[1:])
		p.add(")")
	} else if !hasAfter {
		p.add("1 = 0")
	}
	p.add(")")
}

// afterKey writes "the column comes after v" and reports whether it wrote
// anything (after NULL, with NULLS LAST, nothing comes).
func (p *pred) afterKey(k key, v any) bool {
	col := k.column()
	switch {
	case isNull(v) && k.NullsFirst:
		p.add("? IS NOT NULL", col)
	case isNull(v):
		return false
	case k.nullable() && !k.NullsFirst:
		p.add("(? "+cmp(k.Desc)+" ? OR ? IS NULL)", col, v, col)
	default:
		p.add("? "+cmp(k.Desc)+" ?", col, v)
	}
	return true
}

func (p *pred) equalKey(k key, v any) {
	if isNull(v) {
		p.add("? IS NULL", k.column())
		return
	}
	p.add("? = ?", k.column(), v)
}
