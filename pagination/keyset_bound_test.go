package pagination_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// A keyset predicate that is an OR expansion starts with a bound on its
// first key that an index on that key can start a scan from: "at or after
// the cursor's value", with the NULLs that come after it when they do.
func TestCursorPredicateLeadingBound(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		items := seedItems(t, db, 30)
		var withA, withoutA Item
		for _, it := range items {
			if it.A != nil && *it.A == 1 {
				withA = it
			}
			if it.A == nil {
				withoutA = it
			}
		}
		log := capture(t, db)
		cases := []struct {
			name     string
			order    []pagination.Order
			row      Item
			backward bool
			want     []string // in the SQL, in this order
			not      string
		}{
			{"not null, mixed directions", orders["a desc, b, id desc"][1:], withA, false,
				[]string{`WHERE "items"."b" >= `, ` AND (`}, ""},
			{"not null desc, mixed directions", []pagination.Order{{Column: "b", Desc: true}, {Column: "id"}}, withA, false,
				[]string{`WHERE "items"."b" <= `, ` AND (`}, ""},
			{"nulls first, value", orders["a nulls first, c desc, id"], withA, false,
				[]string{`WHERE "items"."a" >= `, ` AND (`}, `"items"."a" >= ? OR`},
			{"nulls last, value", orders["a nulls last, id"], withA, false,
				[]string{`WHERE ("items"."a" >= `, ` OR "items"."a" IS NULL) AND (`}, ""},
			{"nulls first, value, backward", orders["a nulls first, c desc, id"], withA, true,
				[]string{`WHERE ("items"."a" <= `, ` OR "items"."a" IS NULL) AND (`}, ""},
			{"nulls last, NULL", orders["a nulls last, id"], withoutA, false,
				[]string{`"items"."a" IS NULL AND `}, ` >= `},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				cursor, err := pagination.CursorOf(db, c.order, c.row)
				if err != nil {
					t.Fatal(err)
				}
				f := pagination.CursorFilter{After: cursor, Limit: 3}
				if c.backward {
					f = pagination.CursorFilter{Before: cursor, Limit: 3}
				}
				if _, err := pagination.PaginateCursor[Item](db, c.order, f); err != nil {
					t.Fatal(err)
				}
				sql := strings.ReplaceAll(log.last(), "`", `"`)
				sql = placeholders(sql)
				rest := sql
				for _, w := range c.want {
					i := strings.Index(rest, w)
					if i < 0 {
						t.Fatalf("SQL %s\ndoes not contain %s (in order %q)", sql, w, c.want)
					}
					rest = rest[i+len(w):]
				}
				if c.not != "" && strings.Contains(sql, c.not) {
					t.Errorf("SQL %s\ncontains %s", sql, c.not)
				}
			})
		}
	})
}

// placeholders writes PostgreSQL's $n as ?.
func placeholders(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		if sql[i] == '$' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9' {
			b.WriteByte('?')
			for i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9' {
				i++
			}
			continue
		}
		b.WriteByte(sql[i])
	}
	return b.String()
}

// Shop is what a Sale belongs to; its name is NOT NULL and repeats.
type Shop struct {
	ID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Name string `gorm:"not null"`
}

// Sale belongs to a Shop through a NOT NULL foreign key.
type Sale struct {
	ID     int64 `gorm:"primaryKey;autoIncrement:false"`
	ShopID int64 `gorm:"not null"`
	Shop   *Shop
}

func seedSales(t *testing.T, db *gorm.DB) []Sale {
	t.Helper()
	if err := db.AutoMigrate(&Shop{}, &Sale{}); err != nil {
		t.Fatal(err)
	}
	shops := []Shop{{1, "b"}, {2, "a"}, {3, "c"}, {4, "b"}}
	if err := db.Create(&shops).Error; err != nil {
		t.Fatal(err)
	}
	sales := make([]Sale, 23)
	for i := range sales {
		s := shops[(i*7)%len(shops)]
		sales[i] = Sale{ID: int64(i + 1), ShopID: s.ID, Shop: &s}
	}
	if err := db.Omit("Shop").Create(&sales).Error; err != nil {
		t.Fatal(err)
	}
	return sales
}

// A NOT NULL column of an association joined with an INNER JOIN is never
// NULL in the rows the join keeps: a keyset page sorted on it is the
// row-value comparison, led by a bound on the joined column that an index
// on it can start from. A LEFT JOIN (the caller's, or the one the page
// adds) gives no such promise, whatever the foreign key declares, and a
// join with conditions of its own leaves NULLs for the rows it does not
// match: those keep the OR expansion and are still paged in order.
func TestCursorJoinedNotNullColumn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		sales := seedSales(t, db)
		log := capture(t, db)
		order := []pagination.Order{{Column: "Shop.name", Desc: true}, {Column: "id", Desc: true}}
		all, onlyB := func(Shop) bool { return true }, func(s Shop) bool { return s.Name == "b" }
		cases := []struct {
			name  string
			db    *gorm.DB
			match func(Shop) bool
			inner bool // rows the join does not match are left out, not NULL
			want  string
		}{
			{"inner join", db.InnerJoins("Shop"), all, true,
				`WHERE "Shop"."name" <= ? AND ("Shop"."name", "sales"."id") < (?, ?)`},
			{"inner join with a condition", db.InnerJoins("Shop", db.Where(&Shop{Name: "b"})), onlyB, true,
				`WHERE "Shop"."name" <= ? AND ("Shop"."name", "sales"."id") < (?, ?)`},
			{"join the page adds", db, all, false, `"Shop"."name" IS NULL`},
			{"caller's left join", db.Joins("Shop"), all, false, `"Shop"."name" IS NULL`},
			{"left join with a condition", db.Joins("Shop", db.Where(&Shop{Name: "b"})), onlyB, false,
				`"Shop"."name" IS NULL`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				want := salesOrder(sales, c.match, c.inner)
				for _, limit := range []int{1, 4, 7} {
					got := walkSales(t, c.db, order, limit)
					if !slices.Equal(got, want) {
						t.Fatalf("limit %d:\n got %v\nwant %v", limit, got, want)
					}
				}
				cursor, err := pagination.CursorOf(c.db, order, sales[0]) // of shop "b"
				if err != nil {
					t.Fatal(err)
				}
				if _, err := pagination.PaginateCursor[Sale](c.db, order, pagination.CursorFilter{After: cursor, Limit: 3}); err != nil {
					t.Fatal(err)
				}
				if sql := placeholders(strings.ReplaceAll(log.last(), "`", `"`)); !strings.Contains(sql, c.want) {
					t.Errorf("SQL %s\ndoes not contain %s", sql, c.want)
				}
			})
		}
	})
}

// salesOrder is sales sorted by shop name descending (NULL, where the join
// does not match, last; such sales left out when inner), then id
// descending.
func salesOrder(sales []Sale, match func(Shop) bool, inner bool) []int64 {
	name := func(s Sale) *string {
		if !match(*s.Shop) {
			return nil
		}
		return &s.Shop.Name
	}
	sorted := slices.Clone(sales)
	if inner {
		sorted = slices.DeleteFunc(sorted, func(s Sale) bool { return !match(*s.Shop) })
	}
	slices.SortFunc(sorted, func(x, y Sale) int {
		if c := cmpNullable(name(x), name(y), pagination.Order{Desc: true}); c != 0 {
			return c
		}
		return cmp.Compare(y.ID, x.ID)
	})
	out := make([]int64, len(sorted))
	for i, s := range sorted {
		out[i] = s.ID
	}
	return out
}

// walkSales pages forward to the end, then back to the start, and returns
// the ids forward after checking that backward saw the same.
func walkSales(t *testing.T, db *gorm.DB, order []pagination.Order, limit int) []int64 {
	t.Helper()
	ids := func(p pagination.CursorPage[Sale]) []int64 {
		out := make([]int64, len(p.Items))
		for i, s := range p.Items {
			out[i] = s.ID
		}
		return out
	}
	f := pagination.CursorFilter{Limit: limit}
	var forward []int64
	var p pagination.CursorPage[Sale]
	for i := 0; ; i++ {
		var err error
		if p, err = pagination.PaginateCursor[Sale](db, order, f); err != nil {
			t.Fatal(err)
		}
		forward = append(forward, ids(p)...)
		if !p.HasNext || i > 100 {
			break
		}
		f.After = p.NextCursor
	}
	backward := ids(p)
	for i := 0; p.HasPrev && i < 100; i++ {
		var err error
		if p, err = pagination.PaginateCursor[Sale](db, order, pagination.CursorFilter{Before: p.PrevCursor, Limit: limit}); err != nil {
			t.Fatal(err)
		}
		backward = append(ids(p), backward...)
	}
	if !slices.Equal(forward, backward) {
		t.Fatalf("forward and backward differ:\n forward %v\nbackward %v", forward, backward)
	}
	return forward
}

// Mall is a soft-deletable parent: GORM's join of it carries
// "deleted_at IS NULL" in its ON clause.
type Mall struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"not null"`
	DeletedAt gorm.DeletedAt
}

// Stall belongs to a Mall through a NOT NULL foreign key.
type Stall struct {
	ID     int64 `gorm:"primaryKey;autoIncrement:false"`
	MallID int64 `gorm:"not null"`
	Mall   *Mall
}

// A NOT NULL foreign key to a parent that is soft-deleted still leaves
// NULL in the joined columns (the join skips the parent): every stall is
// paged, those of the deleted mall last, forward and backward.
func TestCursorJoinedSoftDeletedParent(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&Mall{}, &Stall{}); err != nil {
			t.Fatal(err)
		}
		malls := []Mall{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}, {ID: 3, Name: "c"}}
		if err := db.Create(&malls).Error; err != nil {
			t.Fatal(err)
		}
		for i := int64(1); i <= 9; i++ {
			if err := db.Create(&Stall{ID: i, MallID: (i-1)%3 + 1}).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Delete(&Mall{}, 2).Error; err != nil {
			t.Fatal(err)
		}
		order := []pagination.Order{{Column: "Mall.name"}, {Column: "id"}}
		want := []int64{1, 4, 7, 3, 6, 9, 2, 5, 8} // a, c, then the deleted mall's (NULL) last
		for _, limit := range []int{1, 2, 4} {
			var got, back []int64
			f := pagination.CursorFilter{Limit: limit}
			var page pagination.CursorPage[Stall]
			for range 20 {
				p, err := pagination.PaginateCursor[Stall](db, order, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range p.Items {
					got = append(got, s.ID)
				}
				page = p
				if !p.HasNext {
					break
				}
				f = pagination.CursorFilter{After: p.NextCursor, Limit: limit}
			}
			for range 20 {
				ids := make([]int64, 0, len(page.Items))
				for _, s := range page.Items {
					ids = append(ids, s.ID)
				}
				back = append(ids, back...)
				if !page.HasPrev {
					break
				}
				p, err := pagination.PaginateCursor[Stall](db, order, pagination.CursorFilter{Before: page.PrevCursor, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				page = p
			}
			if !slices.Equal(got, want) || !slices.Equal(back, want) {
				t.Fatalf("limit %d: forward %v, backward %v, want %v", limit, got, back, want)
			}
		}
	})
}
