package pagination

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// linked reports whether every row an INNER JOIN of rel keeps has a
// non-NULL col: col is NOT NULL (or the primary key). A LEFT JOIN gives
// no such promise, whatever the foreign key declares: a soft-deleted
// parent (GORM puts deleted_at IS NULL in the join's ON), a foreign key
// whose constraint is not enforced (SQLite without foreign_keys, a schema
// not made by AutoMigrate) or an orphan row all come back with NULL there.
func linked(rel *schema.Relationship, col *schema.Field) bool {
	return (rel.Type == schema.BelongsTo || rel.Type == schema.HasOne) && notNull(col)
}

func notNull(f *schema.Field) bool { return f.PrimaryKey || f.NotNull }

// settle returns keys with present set on the linked keys whose
// association stmt joins with an INNER JOIN: the rows the join keeps
// have the association, so the key's values are never NULL. It returns
// keys itself when nothing changes.
func settle(keys []key, stmt *gorm.Statement) []key {
	var out []key
	for i, k := range keys {
		if !k.linked || !innerJoined(stmt, k.rel.Name) {
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

// innerJoined reports whether stmt joins assoc itself with an INNER JOIN
// (InnerJoins("Assoc"), with or without conditions of its own: a row the
// conditions do not match is left out, not filled with NULLs).
func innerJoined(stmt *gorm.Statement, assoc string) bool {
	for _, j := range stmt.Joins {
		if j.Name == assoc && j.JoinType == clause.InnerJoin && j.Expression == nil {
			return true
		}
	}
	return false
}
