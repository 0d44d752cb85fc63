package pagination

import (
	"gorm.io/gorm"
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
//
// With more than one key, either form is led by a redundant bound on the
// first key, "a at or after ?" (see [pred.lead]), which adds no row and
// drops none but gives the planner a range to start an index scan of a
// from: the OR expansion offers none, nor does a row value whose first
// column is of a joined table or an expression.
//
// Every value is bound as exactly one parameter, whatever its type (see
// [pred]).
func after(keys []key, values []any) clause.Expression {
	p := make(pred, 0, 10*len(keys)+6) // the pieces of an OR expansion and its bound
	if rowComparable(keys, values) {
		if needsLead(keys) && p.lead(keys[0], values[0]) {
			p.add(" AND ")
		}
		p.rowValue(keys, values)
		return p
	}
	if len(keys) > 1 && p.lead(keys[0], values[0]) {
		p.add(" AND ")
	}
	p.expand(keys, values)
	return p
}

// after is [after] for keys, which are r's keys or r's keys reversed (as
// settle leaves them): the row-value comparison without a leading bound
// is written from the text r keeps rendered (see [rowAfter]).
func (r *resolvedKeys) after(keys []key, values []any) clause.Expression {
	if rowComparable(keys, values) && !needsLead(keys) {
		return rowAfter{r: r, desc: keys[0].Desc, values: values}
	}
	return after(keys, values)
}

// needsLead reports whether a row-value comparison of keys is led by a
// bound on the first key: one of a joined table or an expression.
func needsLead(keys []key) bool {
	return len(keys) > 1 && (keys[0].rel != nil || keys[0].expr != nil)
}

// rowComparable reports whether the keys share one direction and neither
// they nor the cursor's values can be NULL.
func rowComparable(keys []key, values []any) bool {
	for i, k := range keys {
		if k.valuesNullable() || k.Desc != keys[0].Desc || isNull(values[i]) {
			return false
		}
	}
	return true
}

// lead writes "the column is at or after v", the rows that the key alone
// does not put before the cursor, and reports whether it wrote anything:
//
//   - v NULL: nothing. With NULLS FIRST every row is at or after it; with
//     NULLS LAST only NULLs are, which the predicate already says.
//   - NULLs sort after v (NULLS LAST, on a key that can hold them):
//     (a >= v OR a IS NULL), or <= when descending.
//   - otherwise, a >= v (<= when descending): NULLs, if any, come before v.
func (p *pred) lead(k key, v any) bool {
	if isNull(v) {
		return false
	}
	op := " >= "
	if k.Desc {
		op = " <= "
	}
	if k.valuesNullable() && !k.NullsFirst {
		p.add("(")
		p.compare(k, op, v)
		p.add(" OR ")
		p.col(k)
		p.add(" IS NULL)")
		return true
	}
	p.compare(k, op, v)
	return true
}

func (p *pred) rowValue(keys []key, values []any) {
	p.rowOpen(keys, keys[0].Desc)
	for i, v := range values {
		p.sep(i)
		p.val(v)
	}
	p.add(")")
}

// rowOpen writes the row-value comparison of keys up to its values:
// "(a, b) > (", or "(a, b) < (" when desc.
func (p *pred) rowOpen(keys []key, desc bool) {
	p.add("(")
	for i, k := range keys {
		p.sep(i)
		p.col(k)
	}
	if desc {
		p.add(") < (")
	} else {
		p.add(") > (")
	}
}

// cmp is the comparison, spaced, that puts a row after the cursor on a
// key sorted desc (or not).
func cmp(desc bool) string {
	if desc {
		return " < "
	}
	return " > "
}

// pred is a condition made of SQL text, columns and values. It is built
// piece by piece rather than as a clause.Expr, whose "?" right after "("
// expands a slice value ([]byte included) into one parameter per element:
// a column is written quoted, and a value always becomes one parameter.
type pred []piece

// piece is one part of a pred: SQL text, a column (or a declared
// expression) or a value.
type piece struct {
	kind  pieceKind
	sql   string
	col   any // a clause.Column, or the clause.Expression of a declared expression
	value any
}

type pieceKind uint8

const (
	textPiece pieceKind = iota
	columnPiece
	valuePiece
)

func (p *pred) add(sql string) { *p = append(*p, piece{kind: textPiece, sql: sql}) }
func (p *pred) col(k key)      { *p = append(*p, piece{kind: columnPiece, col: k.column()}) }
func (p *pred) val(v any)      { *p = append(*p, piece{kind: valuePiece, value: v}) }

func (p *pred) sep(i int) {
	if i > 0 {
		p.add(", ")
	}
}

// Build writes the condition to b.
func (p pred) Build(b clause.Builder) {
	for _, x := range p {
		switch x.kind {
		case textPiece:
			b.WriteString(x.sql)
		case columnPiece:
			if e, ok := x.col.(clause.Expression); ok {
				e.Build(b)
			} else {
				b.WriteQuoted(x.col)
			}
		case valuePiece:
			bindOne(b, x.value)
		}
	}
}

// bindOne binds v as one parameter, bypassing the statement's AddVar, which
// would expand a slice or []any into a list, run a clause.Expression or a
// *gorm.DB as SQL, and quote a clause.Column. A type with a GormValue method
// keeps its own rendering, the one GORM uses when it writes the column.
func bindOne(b clause.Builder, v any) {
	stmt, ok := b.(*gorm.Statement)
	if _, custom := v.(gorm.Valuer); custom || !ok {
		b.AddVar(b, v)
		return
	}
	stmt.Vars = append(stmt.Vars, v)
	stmt.DB.Dialector.BindVarTo(b, stmt, v)
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
	switch {
	case isNull(v) && k.NullsFirst:
		p.col(k)
		p.add(" IS NOT NULL")
	case isNull(v):
		return false
	case k.valuesNullable() && !k.NullsFirst:
		p.add("(")
		p.compare(k, cmp(k.Desc), v)
		p.add(" OR ")
		p.col(k)
		p.add(" IS NULL)")
	default:
		p.compare(k, cmp(k.Desc), v)
	}
	return true
}

func (p *pred) equalKey(k key, v any) {
	if isNull(v) {
		p.col(k)
		p.add(" IS NULL")
		return
	}
	p.compare(k, " = ", v)
}

// compare writes the column, op (a comparison with its spaces, a constant
// so that nothing is allocated for it) and v.
func (p *pred) compare(k key, op string, v any) {
	p.col(k)
	p.add(op)
	p.val(v)
}
