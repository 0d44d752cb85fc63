package pagination_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// benchRows is the table size of the page benchmarks.
const benchRows = 5000

// BenchmarkPage times one 20-row page of a 5,000-row table indexed on the
// sort, through this package and through the
// same queries written by hand with GORM, on each configured database:
// offset pages with their exact count (page 100), and keyset pages after a
// cursor at the same depth. Compare with benchstat -col /impl.
func BenchmarkPage(b *testing.B) {
	for _, kind := range testdb.Kinds() {
		db := testdb.Open(b, kind, testdb.Plain())
		items := seedItems(b, db, benchRows)
		settle(b, db)
		order := []pagination.Order{{Column: "b", Desc: true}, {Column: "id", Desc: true}}
		anchor := expected(items, order)[2000]
		cursor, err := pagination.CursorOf(db, order, items[anchor-1])
		if err != nil {
			b.Fatal(err)
		}
		it := items[anchor-1]
		impls := []struct {
			name string
			page func() (int, error)
		}{
			{"kind=offset/impl=gormext", func() (int, error) {
				p, err := pagination.Paginate[Item](db.Order("b DESC, id DESC"), pagination.PaginatedFilter{Page: 100, PageSize: 20})
				return len(p.Items), err
			}},
			{"kind=offset/impl=hand", func() (int, error) { return handOffset(db) }},
			{"kind=keyset/impl=gormext", func() (int, error) {
				p, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: cursor, Limit: 20})
				return len(p.Items), err
			}},
			{"kind=keyset/impl=hand", func() (int, error) {
				var out []Item
				err := db.Where("(b, id) < (?, ?)", it.B, it.ID).Order("b DESC, id DESC").Limit(21).Find(&out).Error
				return min(len(out), 20), err
			}},
		}
		for range 50 { // warm the database and the heap for all of them
			for _, impl := range impls {
				if _, err := impl.page(); err != nil {
					b.Fatal(err)
				}
			}
		}
		pageRuns++
		if pageRuns%2 == 0 { // alternate the order of each pair
			impls[0], impls[1], impls[2], impls[3] = impls[1], impls[0], impls[3], impls[2]
		}
		for _, impl := range impls {
			b.Run("db="+string(kind)+"/"+impl.name, func(b *testing.B) { benchLoop(b, impl.page) })
		}
	}
}

// pageRuns counts the runs of BenchmarkPage (-count).
var pageRuns int

func handOffset(db *gorm.DB) (int, error) {
	var n int64
	if err := db.Model(&Item{}).Count(&n).Error; err != nil {
		return 0, err
	}
	var out []Item
	err := db.Order("b DESC, id DESC").Offset(99 * 20).Limit(20).Find(&out).Error
	return len(out), err
}

func benchLoop(b *testing.B, page func() (int, error)) {
	b.ReportAllocs()
	for b.Loop() {
		n, err := page()
		if err != nil || n != 20 {
			b.Fatalf("page of %d rows: %v", n, err)
		}
	}
}

// settle indexes the sort and brings the table to a steady state (visibility
// map, hint bits, statistics), so the first benchmark after loading does not
// pay for it.
func settle(b *testing.B, db *gorm.DB) {
	b.Helper()
	stmts := []string{"CREATE INDEX items_b_id ON items (b, id)", "ANALYZE items"}
	if db.Dialector.Name() == "postgres" {
		stmts[1] = "VACUUM ANALYZE items"
	}
	for _, stmt := range stmts {
		if err := db.Exec(stmt).Error; err != nil {
			b.Fatal(err)
		}
	}
}
