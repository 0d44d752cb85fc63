package pagination

import (
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// count returns the total of db's rows as mode says, never changing db.
// model, when not nil, is the model of the query (see modelOf).
func count(db *gorm.DB, mode CountMode, model any) (int64, error) {
	switch mode {
	case CountNone:
		return -1, nil
	case CountEstimate:
		if db.Dialector.Name() == "postgres" {
			return estimate(db, model)
		}
	}
	return exactCount(db, model)
}

// unpaged returns a copy of db whose statement, once its scopes have run,
// has no ORDER BY, LIMIT, OFFSET or preloads: the query to count, with
// model as its model when not nil. db is not changed.
func unpaged(db *gorm.DB, model any) *gorm.DB {
	tx := adopt(db.Session(&gorm.Session{}).Limit(-1), model) // Limit clones the statement
	tx.Statement.Preloads = nil
	return tx.Scopes(func(d *gorm.DB) *gorm.DB {
		delete(d.Statement.Clauses, "ORDER BY")
		delete(d.Statement.Clauses, "LIMIT")
		return d
	})
}

// exactCount counts the rows the query yields. A plain query (conditions
// on its table, nothing more) is counted as GORM's Count counts it,
// SELECT count(*) FROM t WHERE ...; with joins, GROUP BY, DISTINCT, a custom
// select or any other clause, whether set on db or by its scopes, it is
// COUNT(*) over the query as a subquery, so that the count is what the
// query returns.
func exactCount(db *gorm.DB, model any) (int64, error) {
	if !plain(db.Statement, false) {
		return subqueryCount(db, model)
	}
	var n int64
	err := unpaged(db, model).Scopes(countScope).Count(&n).Error
	return n, err
}

// countScope runs after the query's own scopes, inside Count: a query they
// left plain is counted as it is, any other over a subquery.
func countScope(d *gorm.DB) *gorm.DB {
	if plain(d.Statement, true) {
		return d
	}
	tx := d.Session(&gorm.Session{}).Limit(-1) // a copy of the statement
	if countSelect(tx.Statement) || tx.Statement.Clauses["SELECT"].Expression == nil {
		// Count's own, or what a Select left of it: the query's own select
		// is built from the statement's Selects.
		delete(tx.Statement.Clauses, "SELECT")
	}
	delete(tx.Statement.Clauses, "LIMIT")
	sub, err := built(tx)
	if err != nil {
		_ = d.AddError(err)
		return d
	}
	out := d.Session(&gorm.Session{NewDB: true}).Table("(?) AS gormext_count", sub)
	out.Statement.AddClause(clause.Select{Expression: clause.Expr{SQL: "count(*)"}})
	out.Statement.Dest = d.Statement.Dest
	// Count reads its own statement after the query: with a GROUP BY left
	// there it would take the number of result rows for the count.
	delete(d.Statement.Clauses, "GROUP BY")
	return out
}

// plain reports whether st selects the rows of its table (or table
// expression) under WHERE conditions and nothing else that changes which
// rows, or how many, the query returns. counting says st is inside Count,
// whose SELECT count(*) it then holds.
func plain(st *gorm.Statement, counting bool) bool {
	if st.SQL.Len() > 0 || len(st.Selects) > 0 || st.Distinct || len(st.Joins) > 0 {
		return false
	}
	for name := range st.Clauses {
		switch name {
		case "WHERE", "ORDER BY", "LIMIT":
		case "SELECT":
			if !counting || !countSelect(st) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// countSelect reports whether st's SELECT clause is the count(*) Count
// sets (clause.Select merges its expression in as the clause's own).
func countSelect(st *gorm.Statement) bool {
	e, ok := st.Clauses["SELECT"].Expression.(clause.Expr)
	return ok && e.SQL == "count(*)" && len(e.Vars) == 0
}

// subqueryCount is COUNT(*) over the query as a subquery. PostgreSQL and
// SQLite flatten the subquery where they can.
func subqueryCount(db *gorm.DB, model any) (int64, error) {
	sub, err := built(unpaged(db, model))
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.Session(&gorm.Session{NewDB: true}).Table("(?) AS gormext_count", sub).Count(&n).Error
	return n, err
}

// built runs tx's scopes and builds its SQL without sending it, so that a
// scope's error (a rejected filter or sort) is returned here rather than
// lost inside a subquery.
func built(tx *gorm.DB) (*gorm.DB, error) {
	var rows []map[string]any
	sub := tx.Session(&gorm.Session{DryRun: true}).Find(&rows)
	return sub, sub.Error
}

// estimate returns PostgreSQL's planner estimate of the query's rows.
func estimate(db *gorm.DB, model any) (int64, error) {
	sub, err := built(unpaged(db, model))
	if err != nil {
		return 0, err
	}
	stmt := sub.Statement
	var plan string
	row := stmt.ConnPool.QueryRowContext(stmt.Context, "EXPLAIN (FORMAT JSON) "+stmt.SQL.String(), stmt.Vars...)
	if err := row.Scan(&plan); err != nil {
		return 0, fmt.Errorf("pagination: estimating the total: %w", err)
	}
	return planRows(plan)
}

// planRows reads "Plan Rows" of the top plan node of EXPLAIN (FORMAT JSON).
func planRows(plan string) (int64, error) {
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &out); err != nil || len(out) == 0 {
		return 0, fmt.Errorf("pagination: reading the planner estimate: %v", err)
	}
	return int64(out[0].Plan.Rows), nil
}
