package hooks_test

import (
	"testing"
	"time"

	"github.com/gormext/gormext/internal/benchkit"

	"gorm.io/gorm"

	"github.com/gormext/gormext/hooks"
)

// side is one contender of a paired benchmark.
type side struct {
	name    string
	db      *gorm.DB
	byHand  bool
	elapsed time.Duration // wall clock
	cpu     time.Duration // CPU time of the benchmark's thread
}

// paired runs the contenders one after the other inside every iteration,
// rotating their order, and reports each one's time per operation and its
// ratio to the first (the plain GORM baseline). On a shared, noisy machine
// the interleaving exposes every side to the same load, which separate
// benchmarks run seconds apart do not. Besides wall-clock time it measures
// the CPU time of the benchmark's own OS thread (Linux), which time spent
// waiting for a core does not inflate: "-cpu-ns/op" and "/plain-cpu".
func paired(b *testing.B, sides []*side, op func(s *side)) {
	b.ReportAllocs()
	wall, cpu := benchkit.Rotate(b, len(sides), func(j int) { op(sides[j]) })
	for j, s := range sides {
		s.elapsed, s.cpu = wall[j], cpu[j]
	}
	report(b, sides)
}

func report(b *testing.B, sides []*side) {
	base, baseCPU := float64(sides[0].elapsed), float64(sides[0].cpu)
	for _, s := range sides {
		b.ReportMetric(float64(s.elapsed.Nanoseconds())/float64(b.N), s.name+"-ns/op")
		if baseCPU > 0 {
			b.ReportMetric(float64(s.cpu.Nanoseconds())/float64(b.N), s.name+"-cpu-ns/op")
		}
		if s == sides[0] {
			continue
		}
		b.ReportMetric(float64(s.elapsed)/base, s.name+"/plain")
		if baseCPU > 0 {
			b.ReportMetric(float64(s.cpu)/baseCPU, s.name+"/plain-cpu")
		}
	}
}

// BenchmarkPairedCreate is BenchmarkCreate with the three contenders
// interleaved: plain GORM with values set by hand, the plugin validating
// three fields, the plugin without validation.
func BenchmarkPairedCreate(b *testing.B) {
	sides := []*side{
		{name: "plain", db: benchDB(b, nil), byHand: true},
		{name: "hooks", db: benchDB(b, []hooks.Option{})},
		{name: "novalidate", db: benchDB(b, []hooks.Option{hooks.WithoutValidation()})},
	}
	paired(b, sides, func(s *side) {
		p := newPost()
		if s.byHand {
			byHand(&p.Entity)
		}
		if err := s.db.Create(&p).Error; err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPairedCreateInBatches: 1,000 rows in batches of 100 per side.
func BenchmarkPairedCreateInBatches(b *testing.B) {
	sides := []*side{
		{name: "plain", db: benchDB(b, nil), byHand: true},
		{name: "hooks", db: benchDB(b, []hooks.Option{})},
	}
	rows := make([]Post, 1000)
	paired(b, sides, func(s *side) {
		for i := range rows {
			rows[i] = newPost()
			if s.byHand {
				byHand(&rows[i].Entity)
			}
		}
		if err := s.db.CreateInBatches(&rows, 100).Error; err != nil {
			b.Fatal(err)
		}
	})
}
