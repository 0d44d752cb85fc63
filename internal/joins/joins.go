// Package joins makes a statement join an association the way GORM's
// Joins("Assoc") does, once.
package joins

import (
	"strings"

	"gorm.io/gorm"
)

// Ensure makes db's statement join the association assoc (a LEFT JOIN
// aliased as assoc, as db.Joins(assoc) builds it) unless it already joins
// it, by Joins, InnerJoins or a nested join through it ("Assoc.Other").
// The statement is changed in place, as scopes change it. GORM drops a
// second join of one alias, so a join added here never duplicates one the
// caller adds later.
func Ensure(db *gorm.DB, assoc string) {
	for _, j := range db.Statement.Joins {
		if j.Name == assoc || strings.HasPrefix(j.Name, assoc+".") {
			return
		}
	}
	if tx := db.Joins(assoc); tx != db { // db was not a scope's instance: copy the join over
		db.Statement.Joins = append(db.Statement.Joins, tx.Statement.Joins[len(tx.Statement.Joins)-1])
	}
}
