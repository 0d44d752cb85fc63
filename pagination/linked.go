package pagination

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// linked reports whether every row of rel's model has a joined row with a
// non-NULL col: rel is belongs-to, each of its foreign key columns on the
// model is NOT NULL (or the primary key), col is NOT NULL (or the primary
// key), and rel's foreign key constraint is not switched off with
// `constraint:-`. A NOT NULL foreign key then references a row that exists,
// as the constraint that AutoMigrate creates guarantees. A has-one
// association never is: a row may have none.
func linked(rel *schema.Relationship, col *schema.Field) bool {
	if rel.Type != schema.BelongsTo || !notNull(col) || rel.Field.TagSettings["CONSTRAINT"] == "-" || len(rel.References) == 0 {
		return false
	}
	for _, ref := range rel.References {
		if ref.ForeignKey == nil || !notNull(ref.ForeignKey) {
			return false
		}
	}
	return true
}

func notNull(f *schema.Field) bool { return f.PrimaryKey || f.NotNull }

// settle returns keys with present set on the linked keys whose
// association stmt joins without conditions of its own (or does not join
// yet: the page then adds the plain join). It returns keys itself when
// nothing changes.
func settle(keys []key, stmt *gorm.Statement) []key {
	var out []key
	for i, k := range keys {
		if !k.linked || !alwaysJoined(stmt, k.rel.Name) {
			continue
		}
		if out == nil {
			out = make([]key, len(keys))
			copy(out, keys)
		}
		out[i].present = true
	}
	if out == nil {
		return keys
	}
	return out
}

// alwaysJoined reports whether stmt's joins of assoc (if any) match every
// row's associated row: a LEFT or INNER association join without ON
// conditions or SQL of its own. A join with conditions leaves NULLs in the
// rows it does not match.
func alwaysJoined(stmt *gorm.Statement, assoc string) bool {
	for _, j := range stmt.Joins {
		if j.Name != assoc && (len(j.Name) <= len(assoc) || j.Name[:len(assoc)+1] != assoc+".") {
			continue
		}
		if j.On != nil || j.Expression != nil || !onlyDB(j.Conds) {
			return false
		}
		if j.JoinType != "" && j.JoinType != clause.LeftJoin && j.JoinType != clause.InnerJoin {
			return false
		}
	}
	return true
}

// onlyDB reports whether a join's arguments are none or a *gorm.DB that
// only selects or omits columns (its conditions are in the join's On).
func onlyDB(conds []any) bool {
	if len(conds) == 0 {
		return true
	}
	_, ok := conds[0].(*gorm.DB)
	return ok && len(conds) == 1
}
