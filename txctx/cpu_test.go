package txctx_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far,
// all threads included (GC, the SQLite C code).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs body b.N times and reports, beside ns/op and allocations,
// cpu-ns/op: the process's CPU time per operation. On a shared machine
// wall time swings with the other processes' load; the process's own CPU
// time much less. For PostgreSQL it is the client side only.
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

// interleave runs the operations in turn, b.N times each, rotating which
// goes first, and reports each one's mean wall time ("<name>-ns/op") and
// the ratio of each to the first ("<name>/<first>"). On a shared machine
// the load moves both sides of a pair together, so the ratio holds much
// better than two benchmarks run one after the other.
func interleave(b *testing.B, ops ...op) {
	b.Helper()
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
		if j > 0 {
			b.ReportMetric(float64(total[j])/float64(total[0]), o.name+"/"+ops[0].name)
		}
	}
}
