package scopes_test

import (
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// TestPaginateGivesScopesItsModel: scopes on a query without a model or a
// table (filters and sorts resolve their columns from the model) see
// Paginate's type as the model, in the count and in the page, for every
// count mode; the query passed in is not changed.
func TestPaginateGivesScopesItsModel(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		q := db.Scopes(scopes.Filter(PersonFilter{StatusIn: []string{"active"}}), scopes.Sort("-name", "name"))
		for _, mode := range []pagination.CountMode{pagination.CountExact, pagination.CountEstimate, pagination.CountNone} {
			p, err := pagination.Paginate[Person](q, pagination.PaginatedFilter{Page: 1, PageSize: 2}, pagination.WithCount(mode))
			if err != nil {
				t.Fatalf("count mode %v: %v", mode, err)
			}
			if got := ids(p.Items); !slices.Equal(got, []int64{5, 3}) {
				t.Errorf("count mode %v: page %v, want [5 3]", mode, got)
			}
			if mode == pagination.CountExact && p.Total != 3 {
				t.Errorf("total %d, want 3", p.Total)
			}
		}
		if q.Statement.Model != nil || q.Statement.Clauses["LIMIT"].Expression != nil {
			t.Errorf("Paginate changed the query it was given: model %v, limit %v", q.Statement.Model, q.Statement.Clauses["LIMIT"])
		}
	})
}
