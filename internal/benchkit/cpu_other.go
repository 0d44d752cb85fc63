//go:build !unix

package benchkit

import "time"

// ProcessCPU is not measured here; benchmarks then report 0 cpu-ns/op.
func ProcessCPU() time.Duration { return 0 }
