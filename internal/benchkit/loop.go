package benchkit

import (
	"math/rand/v2"
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

// Interleave runs the operations in turn, b.N times each, in a random order
// each round, and reports each one's mean wall time ("<name>-ns/op") and
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

// run times each operation over b.N rounds, in a new random order each
// round (see Rounds).
func run(b *testing.B, ops []Op) []time.Duration {
	b.Helper()
	total := make([]time.Duration, len(ops))
	next := Rounds(len(ops))
	for b.Loop() {
		for _, j := range next() {
			start := time.Now()
			if err := ops[j].Run(); err != nil {
				b.Fatal(err)
			}
			total[j] += time.Since(start)
		}
	}
	return total
}

// Rounds returns a function giving the order of each round: a random
// permutation of 0..n-1, from a fixed seed so runs repeat. An operation
// runs faster right after one that warmed the same caches (the same
// statement on the other side of its pair, another insert), so a fixed
// or rotated order favours whichever contender follows the more alike
// neighbour; in a random order every contender has the same neighbours on
// average.
func Rounds(n int) func() []int {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	perm := make([]int, n)
	return func() []int {
		for i := range perm {
			perm[i] = i
		}
		rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		return perm
	}
}

// Rotate runs op(j) for each of n contenders once per round, b.N rounds,
// in a new random order each round (see Rounds), on a locked OS thread,
// and returns each contender's total wall time and CPU time of that thread
// (ThreadCPU: time spent waiting for a core does not inflate it; zero where
// unsupported).
func Rotate(b *testing.B, n int, op func(j int)) (wall, cpu []time.Duration) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall, cpu = make([]time.Duration, n), make([]time.Duration, n)
	next := Rounds(n)
	for b.Loop() {
		for _, j := range next() {
			start, startCPU := time.Now(), ThreadCPU()
			op(j)
			cpu[j] += ThreadCPU() - startCPU
			wall[j] += time.Since(start)
		}
	}
	return wall, cpu
}
