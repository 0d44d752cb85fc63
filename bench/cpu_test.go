package bench

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs body b.N times and reports, beside ns/op and allocations,
// cpu-ns/op: the client process's CPU time per operation, which the load
// of a shared machine moves much less than wall time.
func loop(b *testing.B, body func() error) {
	b.Helper()
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if err := body(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// op is one operation of an interleaved benchmark.
type op struct {
	name string
	run  func() error
}

// interleavePairs runs the operations of every (baseline, candidate) pair
// in turn, b.N times each, rotating which goes first, and reports each
// one's mean wall time ("<name>-ns/op") and each pair's ratio
// ("<candidate>/<baseline>"). All four see the same load of the shared
// machine and of the shared PostgreSQL, so the ratios hold much better
// than those of benchmarks run one after the other.
func interleavePairs(b *testing.B, pairs ...[2]op) {
	b.Helper()
	var ops []op
	for _, p := range pairs {
		ops = append(ops, p[0], p[1])
	}
	total := make([]time.Duration, len(ops))
	i := 0
	for b.Loop() {
		for k := range ops {
			j := (i + k) % len(ops)
			start := time.Now()
			if err := ops[j].run(); err != nil {
				b.Fatal(err)
			}
			total[j] += time.Since(start)
		}
		i++
	}
	for j, o := range ops {
		b.ReportMetric(float64(total[j])/float64(b.N), o.name+"-ns/op")
	}
	for p := range pairs {
		base, cand := 2*p, 2*p+1
		b.ReportMetric(float64(total[cand])/float64(total[base]), ops[cand].name+"/"+ops[base].name)
	}
}
