package scopes_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// schemaOf parses model through db's schema cache.
func schemaOf(t *testing.T, db *gorm.DB, model any) *schema.Schema {
	t.Helper()
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		t.Fatal(err)
	}
	return stmt.Schema
}

// Customer is what an Order belongs to; names and emails repeat and may be
// NULL.
type Customer struct {
	ID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Name  *string
	Email *string
}

// Order belongs to a Customer (or to none), has many Lines and has one
// Note.
type Order struct {
	ID         int64 `gorm:"primaryKey;autoIncrement:false"`
	CustomerID *int64
	Customer   *Customer
	Total      int `gorm:"not null"`
	Ref        *string
	Lines      []Line
	Note       *OrderNote
}

// Line is a has-many association of Order.
type Line struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	OrderID int64
	SKU     string
}

// OrderNote is a has-one association of Order.
type OrderNote struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	OrderID int64
	Text    *string
}

// OrderFilter filters orders by their customer's columns.
type OrderFilter struct {
	CustomerEmailIContains *string  `form:"customer_email_icontains" filter:"Customer.email,icontains"`
	CustomerName           *string  `form:"customer_name" filter:"Customer.name"`
	CustomerNameIn         []string `form:"customer_name_in" filter:"Customer.name,in"`
	CustomerNameIsNull     *bool    `form:"customer_name_isnull" filter:"Customer.name,isnull"`
	NoteText               *string  `form:"note_text" filter:"Note.text"`
	TotalGte               *int     `form:"total_gte" filter:"total,gte"`
	scopes.Sorting
	pagination.PaginatedFilter
	pagination.CursorFilter
}

var (
	customerNames  = []*string{ptr("ann"), ptr("bob"), ptr("ann"), nil, ptr("Cid")}
	customerEmails = []*string{ptr("ann@a.example"), nil, ptr("ann@b.example"), ptr("x@a.example"), nil}
)

// seedOrders makes customers 1 to 5 and n orders, a sixth of them without a
// customer, with repeated totals, refs and notes; it returns the orders with
// their Customer and Note set as the database holds them.
func seedOrders(t testing.TB, db *gorm.DB, n int) []Order {
	t.Helper()
	if err := db.AutoMigrate(&Customer{}, &Order{}, &Line{}, &OrderNote{}); err != nil {
		t.Fatal(err)
	}
	customers := make([]*Customer, len(customerNames))
	for i := range customers {
		customers[i] = &Customer{ID: int64(i + 1), Name: customerNames[i], Email: customerEmails[i]}
		if err := db.Create(customers[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(7, 11))
	orders := make([]Order, n)
	for i := range orders {
		o := Order{ID: int64(i + 1), Total: r.IntN(5) * 10}
		if c := r.IntN(6); c < len(customers) {
			o.CustomerID, o.Customer = &customers[c].ID, customers[c]
		}
		if r.IntN(3) > 0 {
			o.Ref = ptr([]string{"A-1", "b-2", "a-1"}[r.IntN(3)])
		}
		if r.IntN(2) > 0 {
			o.Note = &OrderNote{ID: o.ID, OrderID: o.ID, Text: []*string{nil, ptr("gift"), ptr("rush")}[r.IntN(3)]}
		}
		if err := db.Omit("Customer", "Note").Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		if o.Note != nil {
			if err := db.Create(o.Note).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Create(&Line{ID: o.ID, OrderID: o.ID, SKU: "sku"}).Error; err != nil {
			t.Fatal(err)
		}
		orders[i] = o
	}
	return orders
}

func orderIDs(os []Order) []int64 {
	out := make([]int64, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}

// orderKey is one key of an expected order, computed in Go.
type orderKey struct {
	value      func(Order) *string // nil for NULL; compared as strings, numbers zero-padded
	desc       bool
	nullsFirst bool
}

// sortedIDs sorts orders in Go as the SQL must: by keys, NULLs where each
// key puts them, then by id in the direction of the last key.
func sortedIDs(orders []Order, keys ...orderKey) []int64 {
	sorted := slices.Clone(orders)
	slices.SortFunc(sorted, func(x, y Order) int {
		for _, k := range keys {
			if c := compareKey(k, k.value(x), k.value(y)); c != 0 {
				return c
			}
		}
		c := cmp.Compare(x.ID, y.ID)
		if len(keys) > 0 && keys[len(keys)-1].desc {
			return -c
		}
		return c
	})
	return orderIDs(sorted)
}

func compareKey(k orderKey, a, b *string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return map[bool]int{true: -1, false: 1}[k.nullsFirst]
	case b == nil:
		return map[bool]int{true: 1, false: -1}[k.nullsFirst]
	}
	c := strings.Compare(*a, *b)
	if k.desc {
		return -c
	}
	return c
}

func customerName(o Order) *string {
	if o.Customer == nil {
		return nil
	}
	return o.Customer.Name
}

func customerEmail(o Order) *string {
	if o.Customer == nil {
		return nil
	}
	return o.Customer.Email
}

func total(o Order) *string { return ptr(fmt.Sprintf("%06d", o.Total)) }

func customerID(o Order) *string {
	if o.Customer == nil {
		return nil
	}
	return ptr(fmt.Sprintf("%06d", o.Customer.ID))
}

func noteText(o Order) *string {
	if o.Note == nil {
		return nil
	}
	return o.Note.Text
}
