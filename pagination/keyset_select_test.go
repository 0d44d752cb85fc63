package pagination_test

import (
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// TestCursorSelectLeavingOutASortKey: a listing whose Select or Omit
// leaves out a sort column cannot make a cursor from its rows (the field
// reads as zero): the page fails, rather than handing out a cursor that
// points elsewhere and repeats or skips rows. A Select that keeps the
// column, or that the page cannot read (raw SQL), pages as usual.
func TestCursorSelectLeavingOutASortKey(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		items := seedItems(t, db, 30)
		order := orders["b, id (row value)"]
		want := expected(items, order)
		for _, c := range []struct {
			name  string
			query func(*gorm.DB) *gorm.DB
			fails bool
		}{
			{"select without it", func(d *gorm.DB) *gorm.DB { return d.Select("id", "a") }, true},
			{"select list without it", func(d *gorm.DB) *gorm.DB { return d.Select("id, a") }, true},
			{"select by field name without it", func(d *gorm.DB) *gorm.DB { return d.Select([]string{"ID", "A"}) }, true},
			{"omit", func(d *gorm.DB) *gorm.DB { return d.Omit("b") }, true},
			{"omit by field name", func(d *gorm.DB) *gorm.DB { return d.Omit("B") }, true},
			{"select with it", func(d *gorm.DB) *gorm.DB { return d.Select("id", "b") }, false},
			{"select by field name with it", func(d *gorm.DB) *gorm.DB { return d.Select("ID", "B") }, false},
			{"select star", func(d *gorm.DB) *gorm.DB { return d.Select("*") }, false},
			{"select list with it", func(d *gorm.DB) *gorm.DB { return d.Select("id, b") }, false},
			{"omit another", func(d *gorm.DB) *gorm.DB { return d.Omit("a") }, false},
			{"select in a scope", func(d *gorm.DB) *gorm.DB {
				return d.Scopes(func(d *gorm.DB) *gorm.DB { return d.Select("id") })
			}, true},
		} {
			got, err := walkItems(c.query(db), order, 4)
			switch {
			case c.fails && err == nil:
				t.Errorf("%s: walked %v without an error; want %v or an error", c.name, got[:min(len(got), 40)], want)
			case !c.fails && err != nil:
				t.Errorf("%s: %v", c.name, err)
			case err == nil && !slices.Equal(got, want):
				t.Errorf("%s: walked %v, want %v", c.name, got[:min(len(got), 40)], want)
			}
		}
	})
}

// walkItems pages forward through db by order, limit rows a page, for at
// most 100 pages; the error is a page's.
func walkItems(db *gorm.DB, order []pagination.Order, limit int) ([]int64, error) {
	var got []int64
	f := pagination.CursorFilter{Limit: limit}
	for range 100 {
		p, err := pagination.PaginateCursor[Item](db, order, f)
		if err != nil {
			return got, err
		}
		got = append(got, itemIDs(p.Items)...)
		if !p.HasNext {
			return got, nil
		}
		f.After = p.NextCursor
	}
	return got, nil // a walk that does not end: got is longer than the table
}
