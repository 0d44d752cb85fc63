package scopes_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/scopes"
)

// benchFilter sets six filter fields: icontains, gte, lte, in, isnull, in.
var benchFilter = PersonFilter{
	NameIContains: ptr("an_n"),
	AgeGte:        ptr(18),
	AgeLte:        ptr(65),
	StatusIn:      []string{"active", "pending"},
	EmailIsNull:   ptr(false),
	IDIn:          []int64{1, 2, 3, 4, 5},
	Sorting:       scopes.Sorting{Sort: "-created_at,name"},
}

var benchLike = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// BenchmarkBuildSQL builds (GORM DryRun, no database) the SQL of a six-field
// filter plus a two-key sort: through Filter and Sort, and through the same
// Where chain written by hand (with the same LIKE escaping). Compare with
// benchstat -col /impl; cpu-ns/op is the steadier figure on a busy machine.
func BenchmarkBuildSQL(b *testing.B) {
	db := testdb.Open(b, testdb.SQLite, testdb.Plain()).Session(&gorm.Session{DryRun: true})
	allowed := []string{"name", "age", "created_at"}
	want := buildGormext(db, allowed)
	if got := buildHand(db); strings.Count(got, "?") != strings.Count(want, "?") {
		b.Fatalf("the two builds differ:\n%s\n%s", want, got)
	}
	impls := []struct {
		name string
		fn   func()
	}{
		{"impl=gormext", func() { buildGormext(db, allowed) }},
		{"impl=hand", func() { buildHand(db) }},
	}
	for range 2000 { // warm caches and the heap for both before timing
		impls[0].fn()
		impls[1].fn()
	}
	buildSQLRuns++
	if buildSQLRuns%2 == 0 { // alternate which goes first, so order cannot favour one
		impls[0], impls[1] = impls[1], impls[0]
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) { measureCPU(b, impl.fn) })
	}
}

// buildSQLRuns counts the runs of BenchmarkBuildSQL (-count).
var buildSQLRuns int

// measureCPU runs fn b.N times and reports, beside wall time and
// allocations, the CPU time per call (cpu-ns/op), which other processes on
// a shared machine disturb far less than wall time.
func measureCPU(b *testing.B, fn func()) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func buildGormext(db *gorm.DB, allowed []string) string {
	var ps []Person
	tx := db.Scopes(scopes.Filter(benchFilter), scopes.Sort(benchFilter.Sort, allowed...)).Find(&ps)
	return tx.Statement.SQL.String()
}

func buildHand(db *gorm.DB) string {
	var ps []Person
	f := benchFilter
	tx := db.
		Where(`LOWER(name) LIKE LOWER(?) ESCAPE '\'`, "%"+benchLike.Replace(*f.NameIContains)+"%").
		Where("age >= ?", *f.AgeGte).
		Where("age <= ?", *f.AgeLte).
		Where("status IN ?", f.StatusIn).
		Where("email IS NOT NULL").
		Where("id IN ?", f.IDIn).
		Order("created_at DESC, name ASC, id DESC").
		Find(&ps)
	return tx.Statement.SQL.String()
}
