package migrate_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if dsn := os.Getenv(childEnv); dsn != "" {
		os.Exit(runChild(dsn))
	}
	goleak.VerifyTestMain(m)
}

// runChild is the body of a separate process started by
// TestProcessesUpTogether: it applies the shared migrations once.
func runChild(dsn string) int {
	ctx := context.Background()
	db, err := openURL(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer closeQuietly(db)
	if err := upConcurrent(ctx, db); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
