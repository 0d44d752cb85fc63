package scopes_test

import (
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// A join the caller adds in a scope after the filter or sort, with a
// condition of its own (a tenant restriction, say), is the join the query
// runs: the association join of a joined key is added only after every
// scope has run, when no join of that association is there.
func TestJoinedKeyKeepsACallersLaterJoin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		orders := seedOrders(t, db, 60)
		onlyBob := func(d *gorm.DB) *gorm.DB {
			return d.InnerJoins("Customer", db.Where(&Customer{Name: ptr("bob")}))
		}
		bob := wantOrders(orders, func(o Order) bool { return is(customerName(o), "bob") })
		for _, c := range []struct {
			name  string
			scope func(*gorm.DB) *gorm.DB
			want  []int64
		}{
			{"sort", scopes.Sort("Customer.name", "Customer.name"), bob},
			{"filter", scopes.Filter(OrderFilter{CustomerName: ptr("ann")}), nil},
			{"filter bob", scopes.Filter(OrderFilter{CustomerName: ptr("bob")}), bob},
		} {
			var got []Order
			if err := db.Model(&Order{}).Scopes(c.scope, onlyBob).Order("orders.id").Find(&got).Error; err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			ids := orderIDs(got)
			slices.Sort(ids)
			if !slices.Equal(ids, c.want) {
				t.Errorf("%s then the caller's join: got %v, want %v", c.name, ids, c.want)
			}
		}
	})
}

// slimOrder reads orders with a slimmer customer: its ID alone.
type slimOrder struct {
	ID         int64
	CustomerID *int64
	Customer   *slimCustomer
}

func (slimOrder) TableName() string { return "orders" }

type slimCustomer struct{ ID int64 }

func (slimCustomer) TableName() string { return "customers" }

// A keyset page on a joined key reads the key from the joined struct: a
// join of the caller's that does not select it fails with an error that
// says so, instead of cursors that read it as zero and lose rows; a result
// type whose association lacks the column fails the same way, not with a
// panic.
func TestJoinedKeyThatCannotBeReadIsAnError(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedOrders(t, db, 20)
		order := []pagination.Order{{Column: "Customer.name"}, {Column: "id"}}
		f := pagination.CursorFilter{Limit: 3}
		_, err := pagination.PaginateCursor[Order](db.Model(&Order{}).Joins("Customer", db.Select("id")), order, f)
		if err == nil {
			t.Error("a caller's join selecting only id: no error; the cursor would read the name as empty")
		}
		_, err = pagination.PaginateCursor[slimOrder](db.Model(&Order{}), order, f)
		if !errors.Is(err, pagination.ErrUnknownColumn) {
			t.Errorf("a result type whose association lacks the column: %v, want ErrUnknownColumn", err)
		}
	})
}
