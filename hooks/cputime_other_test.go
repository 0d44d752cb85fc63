//go:build !linux

package hooks_test

import "time"

// threadCPU is not measured outside Linux: the paired benchmarks then
// report wall-clock figures only.
func threadCPU() time.Duration { return 0 }
