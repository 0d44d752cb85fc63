package txctx_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// GORM's prepared-statement cache (PrepareStmt) starts an expiry
		// goroutine that it never stops (gorm/internal/lru: "done channel
		// is never closed").
		goleak.IgnoreTopFunction("gorm.io/gorm/internal/lru.NewLRU[...].func1"),
	)
}
