package pagination

import (
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/joins"
)

// joinKeys makes d join the association of every joined key it does not
// join yet, and returns it. When read, the page reads the keys' values
// from the joined structs, so a join of the caller's must select them
// (see joins.Ensure); a sort alone needs no column selected.
func joinKeys(d *gorm.DB, keys []key, read bool) *gorm.DB {
	for _, k := range keys {
		if k.rel == nil {
			continue
		}
		var need []string
		if read {
			need = k.readColumns()
		}
		joins.Ensure(d, k.rel.Name, need...)
	}
	return d
}

// exprValues reads the values of the walk's expression keys for each of
// rows (at most two, the edges of a page), in one query by primary key
// over the listing's joins: out[i] holds row i's values in key order. A
// row's struct cannot carry an expression's value, so this lookup is the
// one extra query a sort on an expression costs per page. Without
// expression keys it returns nil.
func (w *walk[T]) exprValues(s *schema.Schema, rows []T) ([][]any, error) {
	var exprs []*Expression
	for _, k := range w.keys {
		if k.expr != nil {
			exprs = append(exprs, k.expr)
		}
	}
	if len(exprs) == 0 || len(rows) == 0 {
		return nil, nil
	}
	out := make([][]any, len(rows))
	matches := make([]clause.Expression, len(rows))
	for i := range rows {
		m, err := pkMatch(w.db, s, reflect.ValueOf(&rows[i]).Elem())
		if err != nil {
			return nil, err
		}
		matches[i] = m
	}
	tx := w.db.Session(&gorm.Session{}).Scopes(func(d *gorm.DB) *gorm.DB {
		for _, name := range []string{"ORDER BY", "LIMIT", "WHERE", "GROUP BY"} {
			delete(d.Statement.Clauses, name)
		}
		if d.Statement.Model == nil && d.Statement.Table == "" && d.Statement.TableExpr == nil {
			d.Statement.Model = new(T)
		}
		d.Statement.Selects, d.Statement.Omits = nil, nil
		d.Statement.AddClause(clause.Select{Expression: exprSelect(matches[0], exprs)})
		d.Statement.AddClause(clause.Where{Exprs: []clause.Expression{clause.Or(matches...)}})
		return joinKeys(d, w.keys, true)
	})
	return out, scanExprs(tx, exprs, out)
}

// exprSelect selects which row matched (0: the first) and each expression.
func exprSelect(first clause.Expression, exprs []*Expression) clause.Expr {
	vars := make([]any, 0, len(exprs)+1)
	vars = append(vars, first)
	for _, e := range exprs {
		vars = append(vars, e.clause())
	}
	return clause.Expr{SQL: "CASE WHEN ? THEN 0 ELSE 1 END" + strings.Repeat(", ?", len(exprs)), Vars: vars}
}

// pkMatch is the condition "the row has row's primary key".
func pkMatch(db *gorm.DB, s *schema.Schema, row reflect.Value) (clause.Expression, error) {
	if len(s.PrimaryFields) == 0 {
		return nil, fmt.Errorf("%w: %s has no primary key to read a sort expression's value by", ErrUnknownColumn, s.Name)
	}
	eqs := make([]clause.Expression, len(s.PrimaryFields))
	for i, f := range s.PrimaryFields {
		v, _ := f.ValueOf(db.Statement.Context, row)
		eqs[i] = clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: f.DBName}, Value: v}
	}
	return clause.And(eqs...), nil
}

// scanExprs runs tx and stores each result row's values (a *V each, nil
// for NULL) in out at the index its first column names.
func scanExprs(tx *gorm.DB, exprs []*Expression, out [][]any) error {
	rows, err := tx.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var which int
		dest := make([]any, len(exprs)+1)
		dest[0] = &which
		for i, e := range exprs {
			dest[i+1] = reflect.New(reflect.PointerTo(e.typ)).Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("pagination: reading the value of a sort expression: %w", err)
		}
		if which < 0 || which >= len(out) {
			continue
		}
		out[which] = make([]any, len(exprs))
		for i := range exprs {
			out[which][i] = reflect.ValueOf(dest[i+1]).Elem().Interface()
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, vs := range out {
		if vs == nil {
			return fmt.Errorf("pagination: a row at the edge of the page was deleted while reading its sort expressions; ask for the page again")
		}
	}
	return nil
}
