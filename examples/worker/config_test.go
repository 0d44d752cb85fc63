package main

import (
	"context"
	"errors"
	"testing"
)

// The commands refuse to start without a broker or a database, saying
// which variable to set, and fill in the topology's defaults.
func TestConfigFromEnv(t *testing.T) {
	t.Setenv("AMQP_URL", "")
	if _, err := configFromEnv(); !errors.Is(err, ErrNoBroker) {
		t.Errorf("without AMQP_URL: %v, want ErrNoBroker", err)
	}
	t.Setenv("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
	t.Setenv("AMQP_EXCHANGE", "")
	t.Setenv("AMQP_QUEUE", "")
	cfg, err := configFromEnv()
	if err != nil || cfg.Exchange != DefaultExchange || cfg.Queue != DefaultQueue {
		t.Errorf("defaults: %+v, %v; want %s and %s", cfg, err, DefaultExchange, DefaultQueue)
	}
	t.Setenv("AMQP_EXCHANGE", "x")
	t.Setenv("AMQP_QUEUE", "q")
	if cfg, err := configFromEnv(); err != nil || cfg.Exchange != "x" || cfg.Queue != "q" {
		t.Errorf("AMQP_EXCHANGE and AMQP_QUEUE: %+v, %v", cfg, err)
	}
	t.Setenv("DATABASE_URL", "")
	if err := run(context.Background(), "relay", quiet); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("without DATABASE_URL: %v, want ErrNoDatabase", err)
	}
}
