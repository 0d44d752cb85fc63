package pagination_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// TestCursorConcurrentListings: listings of one model through databases of
// different dialects and over different tables, sorted by columns and by
// expressions declared per request (two of one name), run at once, each
// walk its own rows in its own order: the SQL text each sort keeps, the
// statements that read schemas and the cursors' MAC states serve one
// listing at a time.
func TestCursorConcurrentListings(t *testing.T) {
	kinds := testdb.Kinds()
	if len(kinds) == 1 {
		kinds = append(kinds, kinds[0])
	}
	dbs := make([]*gorm.DB, len(kinds))
	var items []Item
	for i, kind := range kinds {
		dbs[i] = testdb.Open(t, kind)
		items = seedItems(t, dbs[i], 30)
		if err := dbs[i].Table("items_copy").AutoMigrate(&Item{}); err != nil {
			t.Fatal(err)
		}
		if err := dbs[i].Exec("INSERT INTO items_copy SELECT * FROM items WHERE id % 2 = 0").Error; err != nil {
			t.Fatal(err)
		}
	}
	even := func(ids []int64) []int64 {
		return slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id%2 != 0 })
	}
	byB := expected(items, orders["b desc, id desc (row value)"])
	byID := expected(items, []pagination.Order{{Column: "id", Desc: true}})
	sorts := []struct {
		order func() []pagination.Order
		want  []int64
	}{
		{func() []pagination.Order { return orders["b desc, id desc (row value)"] }, byB},
		{func() []pagination.Order {
			return []pagination.Order{pagination.Expr[string]("k", `LOWER(b)`).NotNull().Desc(), {Column: "id", Desc: true}}
		}, byB},
		{func() []pagination.Order {
			return []pagination.Order{pagination.Expr[int64]("k", `id * 2`).NotNull().Desc(), {Column: "id", Desc: true}}
		}, byID},
	}
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Go(func() {
			db, s, copied := dbs[g%len(dbs)], sorts[g%len(sorts)], g%4 >= 2
			want := s.want
			if copied {
				db, want = db.Table("items_copy"), even(want)
			}
			for round := range 5 {
				got, err := walkOrder(db, s.order, 3)
				if err != nil {
					t.Errorf("goroutine %d round %d: %v", g, round, err)
					return
				}
				if !slices.Equal(got, want) {
					t.Errorf("goroutine %d round %d: walked %v, want %v", g, round, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// walkOrder pages forward through db, asking order for the sort of each
// page, limit rows a page.
func walkOrder(db *gorm.DB, order func() []pagination.Order, limit int) ([]int64, error) {
	var got []int64
	f := pagination.CursorFilter{Limit: limit}
	for range 100 {
		p, err := pagination.PaginateCursor[Item](db, order(), f)
		if err != nil {
			return got, err
		}
		got = append(got, itemIDs(p.Items)...)
		if !p.HasNext {
			return got, nil
		}
		f.After = p.NextCursor
	}
	return got, fmt.Errorf("the walk did not end: %v", got)
}
