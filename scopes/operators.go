package scopes

import (
	"reflect"
	"strings"

	"gorm.io/gorm/clause"
)

// condition builds the SQL condition of one operator on a checked column.
func condition(dialect string, o op, col clause.Column, val reflect.Value) clause.Expression {
	v := val.Interface()
	switch o {
	case opNe:
		return clause.Neq{Column: col, Value: v}
	case opGt:
		return clause.Gt{Column: col, Value: v}
	case opGte:
		return clause.Gte{Column: col, Value: v}
	case opLt:
		return clause.Lt{Column: col, Value: v}
	case opLte:
		return clause.Lte{Column: col, Value: v}
	case opIn:
		return clause.IN{Column: col, Values: listOf(val)}
	case opNotIn:
		return clause.Not(clause.IN{Column: col, Values: listOf(val)})
	case opIsNull:
		return isNullExpr(col, val.Bool())
	case opContains, opIContains, opStartsWith, opEndsWith:
		return match(dialect, o, col, val.String())
	}
	return clause.Eq{Column: col, Value: v}
}

func listOf(val reflect.Value) []any {
	out := make([]any, val.Len())
	for i := range out {
		out[i] = val.Index(i).Interface()
	}
	return out
}

func isNullExpr(col clause.Column, null bool) clause.Expression {
	if null {
		return clause.Expr{SQL: "? IS NULL", Vars: []any{col}}
	}
	return clause.Expr{SQL: "? IS NOT NULL", Vars: []any{col}}
}

// match builds the literal text matches.
//
// icontains is LOWER(col) LIKE LOWER(pattern) on every database. The
// case-sensitive ones are LIKE on PostgreSQL and GLOB on SQLite, whose LIKE
// ignores ASCII case; both patterns are escaped so the value matches
// literally.
func match(dialect string, o op, col clause.Column, s string) clause.Expression {
	if o == opIContains {
		return clause.Expr{SQL: `LOWER(?) LIKE LOWER(?) ESCAPE '\'`, Vars: []any{col, "%" + escapeLike(s) + "%"}}
	}
	if dialect == "sqlite" {
		return clause.Expr{SQL: "? GLOB ?", Vars: []any{col, wrap(o, escapeGlob(s), "*")}}
	}
	return clause.Expr{SQL: `? LIKE ? ESCAPE '\'`, Vars: []any{col, wrap(o, escapeLike(s), "%")}}
}

// wrap adds the "any text" wildcard on the side(s) the operator leaves open.
func wrap(o op, s, wild string) string {
	switch o {
	case opStartsWith:
		return s + wild
	case opEndsWith:
		return wild + s
	}
	return wild + s + wild
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike makes s match itself under LIKE ... ESCAPE '\'.
func escapeLike(s string) string { return likeEscaper.Replace(s) }

var globEscaper = strings.NewReplacer(`*`, `[*]`, `?`, `[?]`, `[`, `[[]`)

// escapeGlob makes s match itself under SQLite's GLOB, which has no escape
// character: each metacharacter is put in a one-character class.
func escapeGlob(s string) string { return globEscaper.Replace(s) }
