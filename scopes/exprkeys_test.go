package scopes_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// Declared once by the program; clients only name them.
var (
	refLower  = pagination.Expr[string]("ref_lower", "LOWER(ref)")
	totalBand = pagination.Expr[int64]("total_band", "total / 20").NotNull()
	nameLower = pagination.Expr[string]("customer_name_lower", `LOWER("Customer"."name")`)
)

var orderKeys = scopes.SortKeys{Fields: orderSorts, Exprs: []pagination.Expression{refLower, totalBand, nameLower}}

func lowerRef(o Order) *string {
	if o.Ref == nil {
		return nil
	}
	return ptr(strings.ToLower(*o.Ref))
}

func band(o Order) *string { return ptr(fmt.Sprintf("%06d", o.Total/20)) }

func lowerName(o Order) *string {
	if n := customerName(o); n != nil {
		return ptr(strings.ToLower(*n))
	}
	return nil
}

// exprSorts are sort specs on expressions with their order computed in Go.
var exprSorts = []struct {
	spec string
	keys []orderKey
}{
	{"ref_lower", []orderKey{{value: lowerRef}}},
	{"-ref_lower:nullsfirst,total", []orderKey{{value: lowerRef, desc: true, nullsFirst: true}, {value: total}}},
	{"total_band,-ref_lower", []orderKey{{value: band}, {value: lowerRef, desc: true}}},
	{"-total_band", []orderKey{{value: band, desc: true}}}, // not null, one direction: the row-value predicate
	{"customer_name_lower,Customer.email:nullsfirst", []orderKey{{value: lowerName}, {value: customerEmail, nullsFirst: true}}},
}

func TestSortExpression(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		orders := seedOrders(t, db, 60)
		for _, c := range exprSorts {
			var got []Order
			// customer_name_lower reads the Customer join: the query joins it.
			if err := db.Joins("Customer").Scopes(orderKeys.Sort(c.spec)).Find(&got).Error; err != nil {
				t.Fatalf("%s: %v", c.spec, err)
			}
			if want := sortedIDs(orders, c.keys...); !slices.Equal(orderIDs(got), want) {
				t.Errorf("sort %q:\n got %v\nwant %v", c.spec, orderIDs(got), want)
			}
		}
	})
}

// Keyset pages sorted on expressions read each cursor's values with the
// listing's joins and walk every row exactly once, both ways.
func TestCursorExpression(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		orders := seedOrders(t, db, 60)
		ops := orderOps()
		ops.SortExprs = orderKeys.Exprs
		for _, c := range exprSorts {
			want := sortedIDs(orders, c.keys...)
			for _, limit := range []int{1, 6, 25} {
				f := OrderFilter{Sorting: scopes.Sorting{Sort: c.spec}}
				f.Limit = limit
				if got := walkOrders(t, ctxPager(ops, db.Joins("Customer")), f); !slices.Equal(got, want) {
					t.Fatalf("%s limit %d:\n got %v\nwant %v", c.spec, limit, got, want)
				}
			}
		}
	})
}

// A cursor is bound to the expression's SQL as well as its name.
func TestCursorExpressionBinding(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedOrders(t, db, 10)
		key := []byte("0123456789abcdef0123456789abcdef")
		a := pagination.Expr[int64]("k", "total / 20")
		b := pagination.Expr[int64]("k", "total / 10")
		p, err := pagination.PaginateCursor[Order](db, []pagination.Order{a.Asc(), {Column: "id"}}, pagination.CursorFilter{Limit: 3}, pagination.WithCursorKey(key))
		if err != nil || !p.HasNext {
			t.Fatalf("first page: %v, %+v", err, p)
		}
		if _, err := pagination.PaginateCursor[Order](db, []pagination.Order{a.Asc(), {Column: "id"}}, pagination.CursorFilter{After: p.NextCursor, Limit: 3}, pagination.WithCursorKey(key)); err != nil {
			t.Fatalf("the same expression: %v", err)
		}
		_, err = pagination.PaginateCursor[Order](db, []pagination.Order{b.Asc(), {Column: "id"}}, pagination.CursorFilter{After: p.NextCursor, Limit: 3}, pagination.WithCursorKey(key))
		if !errors.Is(err, pagination.ErrInvalidPage) {
			t.Fatalf("another expression of the same name: err = %v, want ErrInvalidPage", err)
		}
	})
}

func TestSortExpressionRejects(t *testing.T) {
	cases := []struct {
		keys scopes.SortKeys
		spec string
		msg  string
	}{
		// the client names a key nobody declared, or smuggles SQL into it.
		{orderKeys, "email_domain", `sort: unknown field "email_domain" (allowed: total, Customer.name, Customer.email, Note.text, Customer.id, ref_lower, total_band, customer_name_lower)`},
		{orderKeys, "LOWER(ref)", "sort: unknown field"},
		{orderKeys, "ref_lower;DROP TABLE orders", "sort: unknown field"},
		{orderKeys, "ref_lower DESC", "sort: unknown field"},
		{orderKeys, "Ref_Lower", "sort: unknown field"},
		{orderKeys, "ref_lower,-ref_lower", `field "ref_lower" given twice`},
		{orderKeys, "ref_lower:first", `field "ref_lower" has an unknown modifier "first"`},
		{scopes.SortKeys{Fields: []string{"total"}}, "ref_lower", "sort: unknown field"},
		// mistakes in the program.
		{scopes.SortKeys{Exprs: []pagination.Expression{pagination.Expr[int]("total", "total * 2")}}, "total", `sort expression "total" has the name of a column or sort field of Order`},
		{scopes.SortKeys{Fields: []string{"Customer.name"}, Exprs: []pagination.Expression{refLower, refLower}}, "ref_lower", `sort expression "ref_lower" is declared twice`},
		{scopes.SortKeys{Exprs: []pagination.Expression{{}}}, "", "sort expression 0 is not declared: use pagination.Expr"},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedOrders(t, db, 3)
		for _, c := range cases {
			var got []Order
			err := db.Scopes(c.keys.Sort(c.spec)).Find(&got).Error
			if !errors.Is(err, scopes.ErrInvalidFilter) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("sort %q: err = %v, want ErrInvalidFilter containing %q", c.spec, err, c.msg)
			}
		}
	})
}

// Expr refuses names that are no lower-case identifier, and empty SQL.
func TestExprPanicsOnMalformedDeclaration(t *testing.T) {
	for _, name := range []string{"", "Ref", "ref lower", "ref;drop", "1ref", "a.b", strings.Repeat("a", 64)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Expr(%q) did not panic", name)
				}
			}()
			pagination.Expr[string](name, "LOWER(ref)")
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("Expr with empty SQL did not panic")
		}
	}()
	pagination.Expr[string]("ok", "")
}
