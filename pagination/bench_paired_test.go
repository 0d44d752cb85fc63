package pagination_test

import (
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/internal/benchkit"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// pageSide is one contender of a paired page benchmark.
type pageSide struct {
	name    string
	page    func() (int, error)
	elapsed time.Duration // wall clock
	cpu     time.Duration // CPU time of the benchmark's OS thread
}

// BenchmarkPairedPage is BenchmarkPage with the hand-written query and
// gormext interleaved in every iteration (rotating which goes first), so
// that both see the same load of a shared machine; it reports each side's
// time per page, their ratio in wall-clock time ("gormext/hand") and in CPU
// time of the benchmark's thread ("gormext/hand-cpu", Linux; on
// PostgreSQL the client's share only), and each side's allocations per
// page, counted apart after the timed loop.
//
// stack=plain opens both sides with GORM alone: the cost of this package.
// stack=full is what make bench-side measures: gormext through
// database.Open (hooks plugin, bounded pool) against GORM opened on the
// same *sql.DB.
func BenchmarkPairedPage(b *testing.B) {
	for _, kind := range testdb.Kinds() {
		for _, stack := range []string{"plain", "full"} {
			gx, hand := pairedDBs(b, kind, stack)
			items := seedItems(b, hand, benchRows)
			settle(b, hand)
			order := []pagination.Order{{Column: "b", Desc: true}, {Column: "id", Desc: true}}
			it := items[expected(items, order)[2000]-1]
			cursor, err := pagination.CursorOf(gx, order, it)
			if err != nil {
				b.Fatal(err)
			}
			offset := [2]*pageSide{
				{name: "hand", page: func() (int, error) { return handOffset(hand) }},
				{name: "gormext", page: func() (int, error) {
					p, err := pagination.Paginate[Item](gx.Order("b DESC, id DESC"), pagination.PaginatedFilter{Page: 100, PageSize: 20})
					return len(p.Items), err
				}},
			}
			keyset := [2]*pageSide{
				{name: "hand", page: func() (int, error) {
					var out []Item
					err := hand.Where("(b, id) < (?, ?)", it.B, it.ID).Order("b DESC, id DESC").Limit(21).Find(&out).Error
					return min(len(out), 20), err
				}},
				{name: "gormext", page: func() (int, error) {
					p, err := pagination.PaginateCursor[Item](gx, order, pagination.CursorFilter{After: cursor, Limit: 20})
					return len(p.Items), err
				}},
			}
			prefix := "db=" + string(kind) + "/stack=" + stack + "/kind="
			b.Run(prefix+"offset", func(b *testing.B) { pairedPages(b, offset) })
			b.Run(prefix+"keyset", func(b *testing.B) { pairedPages(b, keyset) })
		}
	}
}

// pairedDBs opens the two sides' connections to one clean database.
func pairedDBs(b *testing.B, kind testdb.Kind, stack string) (gx, hand *gorm.DB) {
	if stack == "plain" {
		db := testdb.Open(b, kind, testdb.Plain())
		return db, db
	}
	gx = testdb.Open(b, kind)
	sqlDB, err := gx.DB()
	if err != nil {
		b.Fatal(err)
	}
	hand, err = gorm.Open(testdb.Dialector(kind, sqlDB), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		b.Fatal(err)
	}
	return gx, hand
}

func pairedPages(b *testing.B, sides [2]*pageSide) {
	run := func(s *pageSide) {
		n, err := s.page()
		if err != nil || n != 20 {
			b.Fatalf("%s: page of %d rows: %v", s.name, n, err)
		}
	}
	for range 20 { // warm up both
		run(sides[0])
		run(sides[1])
	}
	wall, cpu := benchkit.Rotate(b, len(sides), func(j int) { run(sides[j]) })
	for j, s := range sides {
		s.elapsed, s.cpu = wall[j], cpu[j]
	}
	hand, gx := sides[0], sides[1]
	for _, s := range sides {
		b.ReportMetric(float64(s.elapsed.Nanoseconds())/float64(b.N), s.name+"-ns/op")
		b.ReportMetric(testing.AllocsPerRun(20, func() { run(s) }), s.name+"-allocs/op")
	}
	b.ReportMetric(float64(gx.elapsed)/float64(hand.elapsed), "gormext/hand")
	if hand.cpu > 0 {
		b.ReportMetric(float64(gx.cpu)/float64(hand.cpu), "gormext/hand-cpu")
	}
}
