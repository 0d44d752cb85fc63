package benchkit

import (
	"runtime"
	"testing"
	"time"
)

// Loop runs body b.N times and reports, beside ns/op and allocations,
// cpu-ns/op: the process's CPU time per operation, which the load of a
// shared machine moves much less than wall time. For PostgreSQL it is the
// client side only.
func Loop(b *testing.B, body func() error) {
	b.Helper()
	b.ReportAllocs()
	start := ProcessCPU()
	for b.Loop() {
		if err := body(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(ProcessCPU()-start)/float64(b.N), "cpu-ns/op")
}

// Op is one operation of an interleaved benchmark.
type Op struct {
	Name string
	Run  func() error
}

// Interleave runs the operations in turn, b.N times each, rotating which
// goes first, and reports each one's mean wall time ("<name>-ns/op") and
// the ratio of each to the first ("<name>/<first>"). The load of a shared
// machine moves both sides of a pair together, so the ratio holds much
// better than two benchmarks run one after the other.
func Interleave(b *testing.B, ops ...Op) {
	b.Helper()
	total := run(b, ops)
	for j, o := range ops {
		b.ReportMetric(float64(total[j])/float64(b.N), o.Name+"-ns/op")
		if j > 0 {
			b.ReportMetric(float64(total[j])/float64(total[0]), o.Name+"/"+ops[0].Name)
		}
	}
}

// InterleavePairs is Interleave over several (baseline, candidate) pairs at
// once, reporting each pair's ratio "<candidate>/<baseline>".
func InterleavePairs(b *testing.B, pairs ...[2]Op) {
	b.Helper()
	var ops []Op
	for _, p := range pairs {
		ops = append(ops, p[0], p[1])
	}
	total := run(b, ops)
	for j, o := range ops {
		b.ReportMetric(float64(total[j])/float64(b.N), o.Name+"-ns/op")
	}
	for p := range pairs {
		base, cand := 2*p, 2*p+1
		b.ReportMetric(float64(total[cand])/float64(total[base]), ops[cand].Name+"/"+ops[base].Name)
	}
}

// run times each operation over b.N rounds, rotating the order.
func run(b *testing.B, ops []Op) []time.Duration {
	b.Helper()
	total := make([]time.Duration, len(ops))
	i := 0
	for b.Loop() {
		for k := range ops {
			j := (i + k) % len(ops)
			start := time.Now()
			if err := ops[j].Run(); err != nil {
				b.Fatal(err)
			}
			total[j] += time.Since(start)
		}
		i++
	}
	return total
}

// Rotate runs op(j) for each of n contenders once per round, b.N rounds,
// rotating which goes first, on a locked OS thread, and returns each
// contender's total wall time and CPU time of that thread (ThreadCPU: time
// spent waiting for a core does not inflate it; zero where unsupported).
func Rotate(b *testing.B, n int, op func(j int)) (wall, cpu []time.Duration) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall, cpu = make([]time.Duration, n), make([]time.Duration, n)
	i := 0
	for b.Loop() {
		for k := range n {
			j := (i + k) % n
			start, startCPU := time.Now(), ThreadCPU()
			op(j)
			cpu[j] += ThreadCPU() - startCPU
			wall[j] += time.Since(start)
		}
		i++
	}
	return wall, cpu
}
