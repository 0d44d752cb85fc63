package scopes_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves goroutines behind (database
// pools not closed, for one).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
