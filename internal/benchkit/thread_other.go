//go:build !linux

package benchkit

import "time"

// ThreadCPU is not measured outside Linux: paired benchmarks then report
// wall-clock figures only.
func ThreadCPU() time.Duration { return 0 }
