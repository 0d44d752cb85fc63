package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a
// server, a pool or a transaction left open.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
