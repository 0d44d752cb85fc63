package pagination_test

import (
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// TestCursorSQLFollowsTheTable: a listing keeps the SQL text of its sort
// per table, so the same sort over another table (db.Table) names that
// table's columns, in its ORDER BY and its keyset predicate, and pages
// the same rows; going back to the first table names it again.
func TestCursorSQLFollowsTheTable(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		items := seedItems(t, db, 30)
		if err := db.Table("items_copy").AutoMigrate(&Item{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("INSERT INTO items_copy SELECT * FROM items").Error; err != nil {
			t.Fatal(err)
		}
		log := capture(t, db)
		order := orders["b desc, id desc (row value)"]
		want := expected(items, order)
		for _, table := range []string{"items", "items_copy", "items"} {
			tx := db.Table(table)
			first, err := pagination.PaginateCursor[Item](tx, order, pagination.CursorFilter{Limit: 4})
			if err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			next, err := pagination.PaginateCursor[Item](tx, order, pagination.CursorFilter{After: first.NextCursor, Limit: 4})
			if err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			sql := strings.ReplaceAll(log.last(), "`", `"`)
			for _, part := range []string{`("` + table + `"."b", "` + table + `"."id") < (`, `ORDER BY "` + table + `"."b" DESC, "` + table + `"."id" DESC`} {
				if !strings.Contains(sql, part) {
					t.Errorf("%s: SQL %s\ndoes not contain %s", table, sql, part)
				}
			}
			if got := itemIDs(next.Items); !slices.Equal(got, want[4:8]) {
				t.Errorf("%s: second page %v, want %v", table, got, want[4:8])
			}
		}
	})
}
