package scopes_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

func wantOrders(orders []Order, keep func(Order) bool) []int64 {
	var out []int64
	for _, o := range orders {
		if keep(o) {
			out = append(out, o.ID)
		}
	}
	return out
}

func is(p *string, v string) bool { return p != nil && *p == v }

// Filters on columns of belongs-to and has-one associations join them as
// Joins("Assoc") does when the query does not, and keep the user's join
// when it does.
func TestFilterJoinedColumn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		orders := seedOrders(t, db, 60)
		cases := []struct {
			name string
			f    OrderFilter
			want []int64
		}{
			{"icontains", OrderFilter{CustomerEmailIContains: ptr("@A.EXAMPLE")}, wantOrders(orders, func(o Order) bool {
				e := customerEmail(o)
				return e != nil && strings.HasSuffix(*e, "@a.example")
			})},
			{"eq", OrderFilter{CustomerName: ptr("ann")}, wantOrders(orders, func(o Order) bool { return is(customerName(o), "ann") })},
			{"in", OrderFilter{CustomerNameIn: []string{"bob", "Cid"}}, wantOrders(orders, func(o Order) bool {
				return is(customerName(o), "bob") || is(customerName(o), "Cid")
			})},
			// NULL in the joined column: a customer without a name, or no customer.
			{"isnull", OrderFilter{CustomerNameIsNull: ptr(true)}, wantOrders(orders, func(o Order) bool { return customerName(o) == nil })},
			{"has one", OrderFilter{NoteText: ptr("gift")}, wantOrders(orders, func(o Order) bool { return is(noteText(o), "gift") })},
			{"joined and own", OrderFilter{CustomerName: ptr("ann"), TotalGte: ptr(20)}, wantOrders(orders, func(o Order) bool {
				return is(customerName(o), "ann") && o.Total >= 20
			})},
		}
		for _, c := range cases {
			for _, pre := range []struct {
				name string
				fn   func(*gorm.DB) *gorm.DB
			}{
				{"no join", func(d *gorm.DB) *gorm.DB { return d }},
				{"Joins", func(d *gorm.DB) *gorm.DB { return d.Joins("Customer").Joins("Note") }},
				{"Joins after", func(d *gorm.DB) *gorm.DB { return d }},
			} {
				var got []Order
				q := pre.fn(db.Model(&Order{})).Scopes(scopes.Filter(c.f))
				if pre.name == "Joins after" {
					q = q.Joins("Customer")
				}
				if err := q.Order("orders.id").Find(&got).Error; err != nil {
					t.Fatalf("%s, %s: %v", c.name, pre.name, err)
				}
				if !slices.Equal(orderIDs(got), c.want) {
					t.Errorf("%s, %s: got %v, want %v", c.name, pre.name, orderIDs(got), c.want)
				}
			}
		}
	})
}

var orderSorts = []string{"total", "Customer.name", "Customer.email", "Note.text", "Customer.id"}

// joinedSorts are sort specs with their order computed in Go.
var joinedSorts = []struct {
	spec string
	keys []orderKey
}{
	{"Customer.name", []orderKey{{value: customerName}}},
	{"-Customer.name", []orderKey{{value: customerName, desc: true}}},
	{"Customer.name:nullsfirst", []orderKey{{value: customerName, nullsFirst: true}}},
	{"-Customer.name:nullsfirst,total", []orderKey{{value: customerName, desc: true, nullsFirst: true}, {value: total}}},
	{"Customer.email,-Customer.name", []orderKey{{value: customerEmail}, {value: customerName, desc: true}}},
	{"-total,Customer.email:nullsfirst", []orderKey{{value: total, desc: true}, {value: customerEmail, nullsFirst: true}}},
	// the primary key of the joined table is NULL where there is no customer.
	{"-Customer.id", []orderKey{{value: customerID, desc: true}}},
	{"Note.text:nullsfirst,-Customer.name", []orderKey{{value: noteText, nullsFirst: true}, {value: customerName, desc: true}}},
}

func TestSortJoinedColumn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		orders := seedOrders(t, db, 60)
		for _, c := range joinedSorts {
			want := sortedIDs(orders, c.keys...)
			for _, joined := range []bool{false, true} {
				q := db.Model(&Order{})
				if joined {
					q = q.InnerJoins("Customer") // the user's join is kept: orders without a customer go
				}
				var got []Order
				if err := q.Scopes(scopes.Sort(c.spec, orderSorts...)).Find(&got).Error; err != nil {
					t.Fatalf("%s: %v", c.spec, err)
				}
				w := want
				if joined {
					w = slices.DeleteFunc(slices.Clone(want), func(id int64) bool { return orders[id-1].Customer == nil })
				}
				if !slices.Equal(orderIDs(got), w) {
					t.Errorf("sort %q (user join %v):\n got %v\nwant %v", c.spec, joined, orderIDs(got), w)
				}
			}
		}
	})
}

func orderOps() scopes.QueryOperations[Order, OrderFilter] {
	return scopes.QueryOperations[Order, OrderFilter]{SortFields: orderSorts, MaxPageSize: 100}
}

// Offset pages with a joined filter and a joined sort count and list what
// the query yields.
func TestPaginateJoinedColumn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		orders := seedOrders(t, db, 60)
		ops := orderOps()
		want := wantOrders(orders, func(o Order) bool { return is(customerName(o), "ann") || is(customerName(o), "Cid") })
		kept := slices.DeleteFunc(slices.Clone(orders), func(o Order) bool { return !slices.Contains(want, o.ID) })
		wantSorted := sortedIDs(kept, orderKey{value: customerEmail, desc: true, nullsFirst: true})
		var got []int64
		for page := 1; ; page++ {
			f := OrderFilter{CustomerNameIn: []string{"ann", "Cid"}, Sorting: scopes.Sorting{Sort: "-Customer.email:nullsfirst"}}
			f.PaginatedFilter = pagination.PaginatedFilter{Page: page, PageSize: 7}
			p, err := ops.Paginate(ctxWith(db), f)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != int64(len(want)) {
				t.Fatalf("total %d, want %d", p.Total, len(want))
			}
			if len(p.Items) == 0 {
				break
			}
			for _, o := range p.Items {
				if o.Customer == nil || o.Customer.ID != *o.CustomerID {
					t.Fatalf("order %d: the join did not fill its customer: %+v", o.ID, o.Customer)
				}
			}
			got = append(got, orderIDs(p.Items)...)
		}
		if !slices.Equal(got, wantSorted) {
			t.Fatalf("pages:\n got %v\nwant %v", got, wantSorted)
		}
	})
}

// Keyset pages sorted on joined columns full of NULLs and duplicates walk
// through every row exactly once, forward and backward, with or without
// the user's join, and read each cursor value from the joined association.
func TestCursorJoinedColumn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		orders := seedOrders(t, db, 60)
		ops := orderOps()
		for _, c := range joinedSorts {
			want := sortedIDs(orders, c.keys...)
			for _, limit := range []int{1, 4, 13} {
				for _, joined := range []bool{false, true} {
					d := db
					if joined {
						d = db.Joins("Customer")
					}
					f := OrderFilter{Sorting: scopes.Sorting{Sort: c.spec}}
					f.Limit = limit
					got := walkOrders(t, ctxPager(ops, d), f)
					if !slices.Equal(got, want) {
						t.Fatalf("%s limit %d join %v:\n got %v\nwant %v", c.spec, limit, joined, got, want)
					}
				}
			}
		}
	})
}

// pager pages a listing from f.
type pager func(f OrderFilter) (pagination.CursorPage[Order], error)

func ctxPager(ops scopes.QueryOperations[Order, OrderFilter], db *gorm.DB) pager {
	return func(f OrderFilter) (pagination.CursorPage[Order], error) { return ops.PaginateCursor(ctxWith(db), f) }
}

// walkOrders pages forward to the end, then back to the start, and returns
// the ids forward after checking that backward saw the same.
func walkOrders(t *testing.T, page pager, f OrderFilter) []int64 {
	t.Helper()
	var forward []int64
	var last pagination.CursorPage[Order]
	for i := 0; ; i++ {
		p, err := page(f)
		if err != nil {
			t.Fatal(err)
		}
		forward = append(forward, orderIDs(p.Items)...)
		if !p.HasNext || i > 500 {
			last = p
			break
		}
		f.After = p.NextCursor
	}
	backward := orderIDs(last.Items)
	for p := last; p.HasPrev; {
		var err error
		f.After, f.Before = "", p.PrevCursor
		if p, err = page(f); err != nil {
			t.Fatal(err)
		}
		backward = append(orderIDs(p.Items), backward...)
		if len(backward) > 10000 {
			t.Fatal("the backward walk does not end")
		}
	}
	if !slices.Equal(forward, backward) {
		t.Fatalf("forward and backward differ:\n forward %v\nbackward %v", forward, backward)
	}
	return forward
}

// Columns that are not of a belongs-to or has-one association, or not
// there at all, are refused with a message naming the field, before any
// SQL is sent; so are names smuggled into sort specs.
func TestJoinedColumnRejects(t *testing.T) {
	type (
		unknownAssoc struct {
			V *string `filter:"Nope.name"`
		}
		hasMany struct {
			V *string `filter:"Lines.sku"`
		}
		unknownColumn struct {
			V *string `filter:"Customer.passwd"`
		}
		nested struct {
			V *string `filter:"Customer.Orders.id"`
		}
		quoted struct {
			V *string `filter:"Customer.\"name\""`
		}
	)
	filters := []struct {
		f   any
		msg string
	}{
		{unknownAssoc{ptr("x")}, `field V: the model Order has no association "Nope"`},
		{hasMany{ptr("x")}, "field V: Order.Lines is a has_many association; only columns of belongs-to and has-one associations can be used"},
		{unknownColumn{ptr("x")}, `field V: the association Customer of Order has no column "passwd"`},
		{nested{ptr("x")}, `the association Customer of Order has no column "Orders.id"`},
		{quoted{ptr("x")}, `has no column "\"name\""`},
	}
	sorts := []struct {
		spec    string
		allowed []string
		msg     string
	}{
		{"Lines.sku", []string{"Lines.sku"}, `sort field "Lines.sku" is allowed but Order.Lines is a has_many association`},
		{"Customer.passwd", []string{"Customer.passwd"}, `sort field "Customer.passwd" is allowed but the association Customer of Order has no column "passwd"`},
		{"Nope.name", []string{"Nope.name"}, `the model Order has no association "Nope"`},
		{"Customer.email", orderSorts[:2], `sort: unknown field "Customer.email" (allowed: total, Customer.name)`},
		{"Customer.id", orderSorts[:2], `sort: unknown field "Customer.id"`},
		{"customer.name", orderSorts, "sort: unknown field"},
		{"Customer.name;DROP TABLE orders", orderSorts, "sort: unknown field"},
		{`Customer."name"`, orderSorts, "sort: unknown field"},
		{"Customer.name) --", orderSorts, "sort: unknown field"},
		{"Customer.name DESC", orderSorts, "sort: unknown field"},
		{"Customer.name:nullsfirst DESC", orderSorts, `unknown modifier "nullsfirst DESC"`},
		{"email_domain", orderSorts, `sort: unknown field "email_domain"`},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedOrders(t, db, 3)
		for _, c := range filters {
			var got []Order
			err := db.Scopes(scopes.Filter(c.f)).Find(&got).Error
			if !errors.Is(err, scopes.ErrInvalidFilter) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("filter %T: err = %v, want ErrInvalidFilter containing %q", c.f, err, c.msg)
			}
		}
		for _, c := range sorts {
			var got []Order
			err := db.Scopes(scopes.Sort(c.spec, c.allowed...)).Find(&got).Error
			if !errors.Is(err, scopes.ErrInvalidFilter) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("sort %q: err = %v, want ErrInvalidFilter containing %q", c.spec, err, c.msg)
			}
		}
	})
}
