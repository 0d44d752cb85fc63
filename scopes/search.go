package scopes

import (
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// MaxSearchLength is the longest search term accepted, in bytes.
const MaxSearchLength = 256

// searchParam is the parameter of a search term, the one Searching
// declares.
const searchParam = "q"

// Search returns a scope matching q, case-insensitively and literally (as
// icontains does), in any of columns: (LOWER(a) LIKE ? OR LOWER(b) LIKE ?).
// The alternatives are kept in parentheses, so the OR never widens the
// query's other conditions. An empty (or all-space) q adds nothing. Columns
// are checked against the model; an unknown column, a term longer than
// MaxSearchLength, a NUL byte or invalid UTF-8 is ErrInvalidFilter; the
// last three come from the client, and are [*ParamError]s of "q", the
// parameter [Searching] declares.
func Search(q string, columns ...string) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		e, err := searchExpr(db, q, columns)
		if err != nil {
			_ = db.AddError(err)
		} else if e != nil {
			andWhere(db, []clause.Expression{e})
		}
		return db
	}
}

func searchExpr(db *gorm.DB, q string, columns []string) (clause.Expression, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if len(q) > MaxSearchLength {
		return nil, rejectParam(searchParam, "too_long", "must be at most %d bytes long (got %d bytes)", MaxSearchLength, len(q))
	}
	if err := checkParamText(searchParam, q); err != nil {
		return nil, err
	}
	s, err := modelSchema(db)
	if err != nil {
		return nil, err
	}
	return searchColumns(s, q, columns)
}

func searchColumns(s *schema.Schema, q string, columns []string) (clause.Expression, error) {
	if len(columns) == 0 {
		return nil, invalid("search: no columns to search in")
	}
	parts := make([]string, len(columns))
	vars := make([]any, 0, 2*len(columns))
	pattern := "%" + escapeLike(q) + "%"
	for i, name := range columns {
		f := column(s, name)
		if f == nil {
			return nil, invalid("search: the model %s has no column %s", s.Name, quote(name))
		}
		parts[i] = `LOWER(?) LIKE LOWER(?) ESCAPE '\'`
		vars = append(vars, clause.Column{Table: clause.CurrentTable, Name: f.DBName}, pattern)
	}
	return clause.Expr{SQL: "(" + strings.Join(parts, " OR ") + ")", Vars: vars}, nil
}
