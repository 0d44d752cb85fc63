package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quiet drops the worker's log lines.
var quiet = slog.New(slog.DiscardHandler)

// brokerURL is GORMEXT_TEST_AMQP_URL; the test is skipped when it is unset
// (CI sets it).
func brokerURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("GORMEXT_TEST_AMQP_URL")
	if u == "" {
		t.Skip("GORMEXT_TEST_AMQP_URL is not set (e.g. amqp://guest:guest@127.0.0.1:5672/)")
	}
	return u
}

// uniqueName is prefix and random hex, so that parallel runs never share
// an exchange or a queue.
func uniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
