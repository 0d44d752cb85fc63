// Package joins makes a statement join an association the way GORM's
// Joins("Assoc") does, once, and resolves the columns such a join reads.
package joins

import (
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Ensure makes db's statement join the association assoc (a LEFT JOIN
// aliased as assoc, as db.Joins(assoc) builds it) unless it joins it
// already, by Joins, InnerJoins or a nested join through it
// ("Assoc.Other"). db is the instance a scope was handed; the check runs
// after every scope of the query has run (GORM runs a scope added by a
// scope after the current ones), so a join the caller adds in a later
// scope, with its own conditions, is the one kept: GORM drops the second
// join of an alias, and adding ours first would drop the caller's.
//
// need names columns of assoc that the query must read (a keyset cursor
// reads them from the joined struct): when the caller's own join selects
// columns and leaves one of them out, the query fails with an error that
// says so, rather than reading it as zero.
func Ensure(db *gorm.DB, assoc string, need ...string) {
	_ = db.Scopes(func(d *gorm.DB) *gorm.DB {
		ensureNow(d, assoc, need)
		return d
	})
}

func ensureNow(db *gorm.DB, assoc string, need []string) {
	for _, j := range db.Statement.Joins {
		if j.Name == assoc || strings.HasPrefix(j.Name, assoc+".") {
			if j.Name == assoc {
				if missing := leftOut(j.Selects, j.Omits, need); missing != "" {
					_ = db.AddError(fmt.Errorf("the query's own join of %s does not select %q, which the sort reads from it: select it in that join, or leave the join to the sort", assoc, missing))
				}
			}
			return
		}
	}
	db.Joins(assoc)
}

// leftOut returns the first of need that a join's Selects (when it has
// any) or Omits leave out, or "".
func leftOut(selects, omits, need []string) string {
	for _, c := range need {
		if (len(selects) > 0 && !slices.Contains(selects, c) && !slices.Contains(selects, "*")) || slices.Contains(omits, c) {
			return c
		}
	}
	return ""
}
