package pagination

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A keyset page writes its keys' columns twice, in its ORDER BY and in its
// predicate, each quoted by the dialector for the statement's table. The
// text depends only on the order, the dialector and the table, so each
// resolved order keeps the last text it wrote (see [resolvedKeys.render])
// and a page writes it as is, binding only the cursor's values.

// rendered is the SQL text of an order's columns, quoted by one dialector
// for one table.
type rendered struct {
	dialector gorm.Dialector
	table     string
	// order and back are the ORDER BY of the keys and of the keys
	// reversed; rowAsc and rowDesc open the row-value predicate:
	// "(a, b) > (" and "(a, b) < (".
	order, back     string
	rowAsc, rowDesc string
}

// render returns the text of r's columns as stmt writes them, from the
// last one made when the dialector and the table are the same.
func (r *resolvedKeys) render(stmt *gorm.Statement) *rendered {
	d := stmt.DB.Dialector
	if x := r.text.Load(); x != nil && x.table == stmt.Table && x.dialector == d {
		return x
	}
	x := newRendered(r, stmt)
	if d != nil && reflect.TypeOf(d).Comparable() { // x.dialector == d must not panic
		r.text.Store(x)
	}
	return x
}

// newRendered writes r's text for stmt with the builders of the general
// path, orderBy and pred, so that the text is theirs.
func newRendered(r *resolvedKeys, stmt *gorm.Statement) *rendered {
	var asc, desc pred
	asc.rowOpen(r.keys, false)
	desc.rowOpen(r.keys, true)
	return &rendered{
		dialector: stmt.DB.Dialector, table: stmt.Table,
		order: textOf(stmt, orderBy(r.keys)), back: textOf(stmt, orderBy(r.back)),
		rowAsc: textOf(stmt, asc), rowDesc: textOf(stmt, desc),
	}
}

// textOf is the SQL text e writes for stmt's dialector and table: e must
// bind no values.
func textOf(stmt *gorm.Statement, e clause.Expression) string {
	scratch := &gorm.Statement{DB: stmt.DB, Table: stmt.Table}
	e.Build(scratch)
	return scratch.SQL.String()
}

// orderExpr is the ORDER BY of a resolved order (its keys reversed when
// back), written from its rendered text.
type orderExpr struct {
	r    *resolvedKeys
	back bool
}

func (o orderExpr) Build(b clause.Builder) {
	stmt, ok := b.(*gorm.Statement)
	if !ok {
		keys := o.r.keys
		if o.back {
			keys = o.r.back
		}
		orderBy(keys).Build(b)
		return
	}
	x := o.r.render(stmt)
	if o.back {
		b.WriteString(x.back)
	} else {
		b.WriteString(x.order)
	}
}

// rowAfter is the row-value predicate (a, b) > (?, ?) of a resolved order
// (its keys reversed when back, where the direction flips), written from
// its rendered text; see [after].
type rowAfter struct {
	r      *resolvedKeys
	desc   bool // the keys' direction
	values []any
}

func (p rowAfter) Build(b clause.Builder) {
	stmt, ok := b.(*gorm.Statement)
	if !ok {
		keys := p.r.keys
		if p.r.keys[0].Desc != p.desc {
			keys = p.r.back
		}
		var q pred
		q.rowValue(keys, p.values)
		q.Build(b)
		return
	}
	x := p.r.render(stmt)
	if p.desc {
		b.WriteString(x.rowDesc)
	} else {
		b.WriteString(x.rowAsc)
	}
	for i, v := range p.values {
		if i > 0 {
			b.WriteString(", ")
		}
		bindOne(b, v)
	}
	b.WriteByte(')')
}
