package pagination_test

import (
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// TestExpressionSortIsResolvedOnce: an order on a declared expression is
// resolved once per model, though Expression.Asc returns a new pointer on
// each call; an expression changed behind a pointer is resolved anew.
func TestExpressionSortIsResolvedOnce(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		items := seedItems(t, db, 30)
		log := capture(t, db)
		lower := pagination.Expr[string]("b_lower", `LOWER(b)`).NotNull()
		want := expected(items, orders["b, id (row value)"])
		before := pagination.KeyCacheSize()
		var got []int64
		var after string
		for {
			order := []pagination.Order{lower.Asc(), {Column: "id"}}
			p, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: after, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, itemIDs(p.Items)...)
			if !p.HasNext {
				break
			}
			after = p.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("walked %v, want %v", got, want)
		}
		if n := pagination.KeyCacheSize() - before; n != 1 {
			t.Errorf("%d orders cached for one sort, want 1", n)
		}
		order := []pagination.Order{lower.Asc(), {Column: "id"}}
		if _, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Limit: 4}); err != nil {
			t.Fatal(err)
		}
		*order[0].Expr = pagination.Expr[string]("b_lower", `UPPER(b)`).NotNull()
		if _, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Limit: 4}); err != nil {
			t.Fatal(err)
		}
		if sql := log.last(); !strings.Contains(sql, "UPPER(b)") {
			t.Errorf("the changed expression is not in the SQL: %s", sql)
		}
	})
}
