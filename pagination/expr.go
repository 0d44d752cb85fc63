package pagination

import (
	"fmt"
	"reflect"
	"regexp"

	"gorm.io/gorm/clause"
)

// sqlText is SQL text the program declares. The type is unexported, so an
// untyped string constant converts to it but a string variable does not:
// text from a request cannot reach [Expr] by accident.
type sqlText string

// Expression is a sort key whose value is an SQL expression the program
// declares once with [Expr]: a value inside a JSON column, LOWER(name), a
// computed rank. Clients name it; the code supplies the SQL.
type Expression struct {
	name    string
	sql     string
	typ     reflect.Type
	notNull bool
}

var exprName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Expr declares the sort key name whose value is the SQL expression sql, of
// Go type V (the type a cursor carries the value in, and the type the value
// is scanned into: string, int64, float64, bool, time.Time on PostgreSQL,
// or any type database/sql scans into and encoding/json round-trips).
//
// sql must be a constant: the parameter's type accepts an untyped string
// constant and no string variable. It is written into the query as is, in
// parentheses, wherever the key is used (ORDER BY, keyset predicates, and
// the lookup that reads the cursor's value): refer to the model's table and
// to associations the query joins by their quoted names. name, which
// clients send in sort specs, must be a lower-case identifier
// ([a-z_][a-z0-9_]*) that is no column of the model.
//
// Expressions may yield NULL unless declared [Expression.NotNull]. Expr
// panics on a malformed name or empty SQL: a mistake in the program, like
// regexp.MustCompile's.
//
//	var emailDomain = pagination.Expr[string]("email_domain", `LOWER(substr(email, instr(email, '@') + 1))`)
func Expr[V any](name string, sql sqlText) Expression {
	if !exprName.MatchString(name) || sql == "" {
		panic(fmt.Sprintf("pagination.Expr(%q, %q): the name must be a lower-case identifier and the SQL not empty", name, string(sql)))
	}
	return Expression{name: name, sql: string(sql), typ: reflect.TypeFor[V]()}
}

// Name returns the name clients sort by.
func (e Expression) Name() string { return e.name }

// NotNull returns e declared never NULL, which lets an all-ascending or
// all-descending keyset use the row-value predicate and its index range
// scan. If the expression does yield NULL, keyset pages skip rows.
func (e Expression) NotNull() Expression {
	e.notNull = true
	return e
}

// Asc returns the ascending Order of e.
func (e Expression) Asc() Order { return Order{Column: e.name, Expr: &e} }

// Desc returns the descending Order of e.
func (e Expression) Desc() Order { return Order{Column: e.name, Desc: true, Expr: &e} }

// clause returns the expression as SQL to write in place of a column.
func (e *Expression) clause() clause.Expression { return rawSQL("(" + e.sql + ")") }

// binding names the expression in a cursor's signature: its name and SQL,
// so that cursors die when either changes.
func (e *Expression) binding() string { return "expr:" + e.name + "=" + e.sql }

// rawSQL is declared SQL text, written as is.
type rawSQL string

func (r rawSQL) Build(b clause.Builder) { b.WriteString(string(r)) }

// exprKey checks an order on an expression.
func exprKey(o Order) (key, error) {
	if o.Expr.name == "" {
		return key{}, fmt.Errorf("%w: Order.Expr holds no expression; declare it with pagination.Expr", ErrUnknownColumn)
	}
	if o.Column != "" && o.Column != o.Expr.name {
		return key{}, fmt.Errorf("%w %q: the Order's Column differs from its expression's name %q", ErrUnknownColumn, o.Column, o.Expr.name)
	}
	o.Column = o.Expr.name
	return key{Order: o, expr: o.Expr}, nil
}
