package scopes_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/scopes"
)

// benchOrderFilter filters on a joined column and an own one and sorts on
// a joined column.
var benchOrderFilter = OrderFilter{
	CustomerEmailIContains: ptr("@a.ex"),
	TotalGte:               ptr(10),
	Sorting:                scopes.Sorting{Sort: "-Customer.name:nullsfirst,total"},
}

// BenchmarkBuildSQLJoined builds (DryRun) the SQL of a filter on a joined
// column plus a sort on a joined column, through Filter and Sort (which add
// the join) and through the same Joins/Where/Order chain written by hand.
func BenchmarkBuildSQLJoined(b *testing.B) {
	db := testdb.Open(b, testdb.SQLite, testdb.Plain()).Session(&gorm.Session{DryRun: true})
	want, got := buildJoinedGormext(db), buildJoinedHand(db)
	if want != got {
		b.Fatalf("the two builds differ:\n%s\n%s", want, got)
	}
	impls := []struct {
		name string
		fn   func()
	}{
		{"impl=gormext", func() { buildJoinedGormext(db) }},
		{"impl=hand", func() { buildJoinedHand(db) }},
	}
	for range 2000 {
		impls[0].fn()
		impls[1].fn()
	}
	buildJoinedRuns++
	if buildJoinedRuns%2 == 0 {
		impls[0], impls[1] = impls[1], impls[0]
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) { measureCPU(b, impl.fn) })
	}
}

var buildJoinedRuns int

func buildJoinedGormext(db *gorm.DB) string {
	var os []Order
	f := benchOrderFilter
	tx := db.Scopes(scopes.Filter(f), scopes.Sort(f.Sort, orderSorts...)).Find(&os)
	return tx.Statement.SQL.String()
}

func buildJoinedHand(db *gorm.DB) string {
	var os []Order
	f := benchOrderFilter
	tx := db.Joins("Customer").
		Where(`LOWER(`+"`Customer`.`email`"+`) LIKE LOWER(?) ESCAPE '\'`, "%"+benchLike.Replace(*f.CustomerEmailIContains)+"%").
		Where("`orders`.`total` >= ?", *f.TotalGte).
		Order("`Customer`.`name` DESC NULLS FIRST, `orders`.`total` ASC, `orders`.`id` ASC").
		Find(&os)
	return tx.Statement.SQL.String()
}
