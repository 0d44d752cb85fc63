package pagination

import (
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
)

// count returns the total of db's rows as mode says, never changing db.
func count(db *gorm.DB, mode CountMode) (int64, error) {
	switch mode {
	case CountNone:
		return -1, nil
	case CountEstimate:
		if db.Dialector.Name() == "postgres" {
			return estimate(db)
		}
	}
	return exactCount(db)
}

// unpaged returns a copy of db whose statement, once its scopes have run,
// has no ORDER BY, LIMIT, OFFSET or preloads: the query to count. db is not
// changed.
func unpaged(db *gorm.DB) *gorm.DB {
	tx := db.Session(&gorm.Session{}).Limit(-1) // clones the statement
	tx.Statement.Preloads = nil
	return tx.Scopes(func(d *gorm.DB) *gorm.DB {
		delete(d.Statement.Clauses, "ORDER BY")
		delete(d.Statement.Clauses, "LIMIT")
		return d
	})
}

// exactCount counts the rows the query yields: COUNT(*) over the query as a
// subquery, so that joins, GROUP BY, DISTINCT and custom selects (applied
// directly or by scopes) count what the query returns. PostgreSQL and SQLite
// flatten the subquery of a plain query, so it costs what COUNT(*) costs.
func exactCount(db *gorm.DB) (int64, error) {
	sub, err := built(unpaged(db))
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
func estimate(db *gorm.DB) (int64, error) {
	sub, err := built(unpaged(db))
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
