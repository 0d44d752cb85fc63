package pagination_test

import (
	"cmp"
	"database/sql"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// Item has sort columns full of duplicates and NULLs.
type Item struct {
	ID int64      `gorm:"primaryKey;autoIncrement:false"`
	A  *int       // nullable, 4 distinct values
	B  string     `gorm:"not null"` // 3 distinct values
	C  *time.Time // nullable, 3 distinct values
}

func seedItems(t testing.TB, db *gorm.DB, n int) []Item {
	t.Helper()
	if err := db.AutoMigrate(&Item{}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	items := make([]Item, n)
	for i := range items {
		it := Item{ID: int64(i + 1), B: []string{"x", "y", "z"}[r.IntN(3)]}
		if r.IntN(3) > 0 {
			it.A = ptr(r.IntN(4))
		}
		if r.IntN(2) > 0 {
			c := time.Date(2026, 1, 1, 0, 0, r.IntN(3), 0, time.UTC)
			it.C = &c
		}
		items[i] = it
	}
	if err := db.CreateInBatches(items, 100).Error; err != nil {
		t.Fatal(err)
	}
	return items
}

func ptr[T any](v T) *T { return &v }

// cmpNullable compares two nullable values the way the ORDER BY of o does.
func cmpNullable[V cmp.Ordered](a, b *V, o pagination.Order) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil || b == nil:
		aNull := 1
		if b == nil {
			aNull = -1
		}
		if o.NullsFirst {
			return -aNull
		}
		return aNull
	}
	c := cmp.Compare(*a, *b)
	if o.Desc {
		return -c
	}
	return c
}

// expected sorts items in Go with the semantics the SQL must have.
func expected(items []Item, order []pagination.Order) []int64 {
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, func(x, y Item) int {
		for _, o := range order {
			var c int
			switch o.Column {
			case "a":
				c = cmpNullable(x.A, y.A, o)
			case "b":
				c = cmpNullable(&x.B, &y.B, o)
			case "c":
				c = cmpNullable(unix(x.C), unix(y.C), o)
			case "id":
				c = cmpNullable(&x.ID, &y.ID, o)
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return itemIDs(sorted)
}

func unix(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	return ptr(t.UnixNano())
}

func itemIDs(items []Item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

var orders = map[string][]pagination.Order{
	"a nulls last, id":                  {{Column: "a"}, {Column: "id"}},
	"a desc, b, id desc":                {{Column: "a", Desc: true}, {Column: "b"}, {Column: "id", Desc: true}},
	"a nulls first, c desc, id":         {{Column: "a", NullsFirst: true}, {Column: "c", Desc: true}, {Column: "id"}},
	"b, id (row value)":                 {{Column: "b"}, {Column: "id"}},
	"b desc, id desc (row value)":       {{Column: "b", Desc: true}, {Column: "id", Desc: true}},
	"c desc nulls first, a desc, b, id": {{Column: "c", Desc: true, NullsFirst: true}, {Column: "a", Desc: true}, {Column: "b"}, {Column: "id"}},
}

// Walking every page forward, then every page backward from the last one,
// returns every row exactly once and in order.
func TestCursorWalkProperty(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		items := seedItems(t, db, 157)
		for name, order := range orders {
			t.Run(name, func(t *testing.T) {
				want := expected(items, order)
				for _, limit := range []int{1, 7, 50, 100} {
					forward, last := walkForward(t, db, order, limit)
					if !slices.Equal(forward, want) {
						t.Fatalf("limit %d forward:\n got %v\nwant %v", limit, forward, want)
					}
					backward := walkBackward(t, db, order, limit, last)
					if !slices.Equal(backward, want) {
						t.Fatalf("limit %d backward:\n got %v\nwant %v", limit, backward, want)
					}
				}
			})
		}
	})
}

func walkForward(t *testing.T, db *gorm.DB, order []pagination.Order, limit int) ([]int64, pagination.CursorPage[Item]) {
	t.Helper()
	var got []int64
	f := pagination.CursorFilter{Limit: limit}
	for range 1000 {
		p, err := pagination.PaginateCursor[Item](db, order, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit || (p.HasNext && len(p.Items) != limit) {
			t.Fatalf("page of %d items, limit %d, has next %v", len(p.Items), limit, p.HasNext)
		}
		if p.HasPrev != (f.After != "") {
			t.Fatalf("HasPrev %v after cursor %q", p.HasPrev, f.After)
		}
		got = append(got, itemIDs(p.Items)...)
		if !p.HasNext {
			if p.NextCursor != "" {
				t.Fatal("NextCursor set on the last page")
			}
			return got, p
		}
		f.After = p.NextCursor
	}
	t.Fatal("the walk did not end")
	return nil, pagination.CursorPage[Item]{}
}

func walkBackward(t *testing.T, db *gorm.DB, order []pagination.Order, limit int, last pagination.CursorPage[Item]) []int64 {
	t.Helper()
	got := itemIDs(last.Items)
	p := last
	for range 1000 {
		if !p.HasPrev {
			return got
		}
		var err error
		p, err = pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Before: p.PrevCursor, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if !p.HasNext || p.NextCursor == "" {
			t.Fatal("a page walked back to has no next page")
		}
		got = append(itemIDs(p.Items), got...)
	}
	t.Fatal("the walk did not end")
	return nil
}

// sqlLog records the SQL of every query run through db.
type sqlLog struct {
	mu  sync.Mutex
	sql []string
}

func capture(t *testing.T, db *gorm.DB) *sqlLog {
	t.Helper()
	l := &sqlLog{}
	err := db.Callback().Query().After("gorm:query").Register("test:capture", func(d *gorm.DB) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.sql = append(l.sql, d.Statement.SQL.String())
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *sqlLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sql[len(l.sql)-1]
}

func TestCursorPredicateShape(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedItems(t, db, 20)
		log := capture(t, db)
		cases := []struct {
			order []pagination.Order
			want  string
		}{
			{orders["b, id (row value)"], `("items"."b", "items"."id") > (`},
			{orders["b desc, id desc (row value)"], `("items"."b", "items"."id") < (`},
			{orders["a nulls last, id"], `"items"."a" IS NULL`},
		}
		for _, c := range cases {
			p, err := pagination.PaginateCursor[Item](db, c.order, pagination.CursorFilter{Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pagination.PaginateCursor[Item](db, c.order, pagination.CursorFilter{After: p.NextCursor, Limit: 3}); err != nil {
				t.Fatal(err)
			}
			if sql := strings.ReplaceAll(log.last(), "`", `"`); !strings.Contains(sql, c.want) {
				t.Errorf("SQL %s\ndoes not contain %s", sql, c.want)
			}
		}
	})
}

func TestCursorRejects(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedItems(t, db, 20)
		order := orders["a nulls last, id"]
		first, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		good := first.NextCursor
		raw, err := base64.RawURLEncoding.DecodeString(good)
		if err != nil {
			t.Fatal(err)
		}
		raw[5] ^= 1 // a byte of the signed document, not of the encoding
		flipped := base64.RawURLEncoding.EncodeToString(raw)
		cases := []struct {
			name string
			f    pagination.CursorFilter
			opts []pagination.Option
			msg  string
		}{
			{"both after and before", pagination.CursorFilter{After: good, Before: good}, nil, "must not be given with after"},
			{"negative limit", pagination.CursorFilter{Limit: -1}, nil, "limit: must be an integer from 1 to 100 (got -1)"},
			{"limit above the maximum", pagination.CursorFilter{Limit: 101}, nil, "from 1 to 100 (got 101)"},
			{"not base64", pagination.CursorFilter{After: "!!!"}, nil, "must be a cursor"},
			{"too short", pagination.CursorFilter{After: "abcd"}, nil, "must be a cursor"},
			{"flipped bit", pagination.CursorFilter{After: flipped}, nil, "altered"},
			{"truncated", pagination.CursorFilter{Before: good[:len(good)-2]}, nil, "before:"},
			{"overlong", pagination.CursorFilter{After: strings.Repeat("A", 5000)}, nil, "at most 4096 bytes"},
			{"another key", pagination.CursorFilter{After: good}, []pagination.Option{pagination.WithCursorKey([]byte("0123456789abcdef0123456789abcdef"))}, "altered"},
		}
		for _, c := range cases {
			_, err := pagination.PaginateCursor[Item](db, order, c.f, c.opts...)
			if !errors.Is(err, pagination.ErrInvalidPage) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s: err = %v, want ErrInvalidPage containing %q", c.name, err, c.msg)
			}
		}
		// A cursor is bound to its sort.
		_, err = pagination.PaginateCursor[Item](db, orders["a desc, b, id desc"], pagination.CursorFilter{After: good})
		if !errors.Is(err, pagination.ErrInvalidPage) {
			t.Errorf("cursor of another sort: err = %v", err)
		}
		// An unknown column in the order is a programming error, not page input.
		_, err = pagination.PaginateCursor[Item](db, []pagination.Order{{Column: "nope"}}, pagination.CursorFilter{})
		if !errors.Is(err, pagination.ErrUnknownColumn) {
			t.Errorf("unknown column: err = %v", err)
		}
	})
}

func TestCursorKeyAndTTL(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedItems(t, db, 20)
		order := orders["b, id (row value)"]
		key := pagination.WithCursorKey([]byte("0123456789abcdef0123456789abcdef"))
		p, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Limit: 5}, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: p.NextCursor}, key); err != nil {
			t.Fatalf("same key: %v", err)
		}
		if _, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: p.NextCursor}); !errors.Is(err, pagination.ErrInvalidPage) {
			t.Fatalf("process key accepted a cursor signed with another key: %v", err)
		}
		_, err = pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: p.NextCursor}, key, pagination.WithCursorTTL(time.Nanosecond))
		if err == nil {
			time.Sleep(1100 * time.Millisecond) // cursors carry whole seconds
			_, err = pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: p.NextCursor}, key, pagination.WithCursorTTL(time.Nanosecond))
		}
		if !errors.Is(err, pagination.ErrInvalidPage) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired cursor: err = %v", err)
		}
	})
}

// Ranked sorts by a sql.Null column: NULL is detected through driver.Valuer.
type Ranked struct {
	ID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Rank sql.NullInt64
}

func TestCursorValuerNulls(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&Ranked{}); err != nil {
			t.Fatal(err)
		}
		rows := []Ranked{{1, sql.NullInt64{}}, {2, sql.NullInt64{Int64: 5, Valid: true}}, {3, sql.NullInt64{}}, {4, sql.NullInt64{Int64: 1, Valid: true}}, {5, sql.NullInt64{Int64: 5, Valid: true}}}
		if err := db.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		order := []pagination.Order{{Column: "rank", Desc: true}, {Column: "id"}}
		var got []int64
		f := pagination.CursorFilter{Limit: 2}
		for range 10 {
			p, err := pagination.PaginateCursor[Ranked](db, order, f, pagination.WithDefaultPageSize(3))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Items {
				got = append(got, r.ID)
			}
			if !p.HasNext {
				break
			}
			f.After = p.NextCursor
		}
		if want := []int64{2, 5, 4, 1, 3}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		// CursorOf issues the cursor PaginateCursor would: continue after row 4.
		c, err := pagination.CursorOf(db, order, rows[3])
		if err != nil {
			t.Fatal(err)
		}
		p, err := pagination.PaginateCursor[Ranked](db, order, pagination.CursorFilter{After: c}, pagination.WithDefaultPageSize(3))
		if err != nil || len(p.Items) != 2 || p.Items[0].ID != 1 || p.Items[1].ID != 3 {
			t.Fatalf("after CursorOf(row 4): %v %+v", err, p.Items)
		}
	})
}

// An OR on the query does not bypass the keyset predicate.
func TestCursorWithOrOnTheQuery(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		items := seedItems(t, db, 40)
		q := db.Where("b = ?", "x").Or("b = ?", "y")
		var want []Item
		for _, it := range items {
			if it.B != "z" {
				want = append(want, it)
			}
		}
		order := orders["b desc, id desc (row value)"]
		got, _ := walkForward(t, q, order, 3)
		if w := expected(want, order); !slices.Equal(got, w) {
			t.Fatalf("got %v, want %v", got, w)
		}
	})
}
