package scopes_test

import (
	"testing"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/scopes"
	"gorm.io/gorm"
)

func TestSmoke(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		var ps []Person
		f := PersonFilter{NameIContains: ptr("an"), StatusIn: []string{"active", "pending"}}
		err := db.Scopes(scopes.Filter(f), scopes.Sort("-age", "age", "name")).Find(&ps).Error
		t.Log(ids(ps), err)
		ops := scopes.QueryOperations[Person, PersonFilter]{SortFields: []string{"age", "name", "created_at"}}
		f.Sort = "-created_at"
		p, err := ops.Paginate(ctxWith(db), f)
		t.Log(ids(p.Items), p.Total, p.TotalPages, err)
		f.Limit = 1
		cp, err := ops.PaginateCursor(ctxWith(db), f)
		t.Log(ids(cp.Items), cp, err)
		f.After = cp.NextCursor
		cp, err = ops.PaginateCursor(ctxWith(db), f)
		t.Log(ids(cp.Items), cp.HasNext, cp.HasPrev, err)
	})
}
