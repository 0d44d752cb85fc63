package reliability_test

import (
	"flag"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// soak, when set, makes the fault loops run that long (several restarts,
// many kill rounds) instead of their short CI version.
var soak = flag.Duration("soak", 0, "run each fault loop this long (0: the short version)")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// faultTime is how long a fault loop injects faults: the soak duration, or
// short for CI.
func faultTime(short time.Duration) time.Duration {
	if *soak > 0 {
		return *soak
	}
	return short
}
