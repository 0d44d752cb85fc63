// Command relaybench measures the outbox relay beside Watermill's SQL
// forwarder on the same PostgreSQL and RabbitMQ, in one process.
//
// Throughput: N messages are committed first (through outbox.Add in
// txctx.Run for gormext; through watermill-sql's publisher, wrapped by
// the forwarder's publisher, in database/sql transactions for Watermill),
// then the relay (outbox/amqp, publisher confirms) or the forwarder
// (watermill-amqp, ConfirmDelivery) is started and timed until the broker
// has confirmed the last message; the contenders take turns round after
// round and the medians are reported.
//
// Latency: producers commit one message per transaction at a steady
// offered rate while the relay (the forwarder) runs; for each message the
// time from the return of its COMMIT to the return of the publisher call
// that the broker confirmed is recorded (both in this process, on one
// clock), and p50, p99 and the maximum are reported, with the producers'
// transaction times. The relay runs with and without outbox.WithoutNotify.
//
// With GORMEXT_TEST_NATS_URL (or -nats) set, the relay publishing to NATS
// JetStream through outbox/nats is measured too.
//
//	cd bench && GORMEXT_TEST_POSTGRES_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable" \
//		go run ./cmd/relaybench      # AMQP: GORMEXT_TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/
//
// Each run works in a PostgreSQL schema of its own, in durable queues and
// JetStream streams of its own, all dropped when done.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"time"
)

// settings are the command-line flags.
type settings struct {
	dsn, amqpURL  string
	natsURL       string
	messages      int
	perTx         int
	keys          int
	rounds        int
	rate          int
	duration      time.Duration
	producers     int
	batch         int
	pollInterval  time.Duration
	wmChannels    int
	skipLatency   bool
	latencyRounds int
}

func main() {
	var s settings
	flag.StringVar(&s.dsn, "dsn", os.Getenv("GORMEXT_TEST_POSTGRES_DSN"), "PostgreSQL DSN (required)")
	flag.StringVar(&s.amqpURL, "amqp", envOr("GORMEXT_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"), "RabbitMQ URL")
	flag.StringVar(&s.natsURL, "nats", os.Getenv("GORMEXT_TEST_NATS_URL"), "NATS URL (JetStream); empty leaves NATS out")
	flag.IntVar(&s.messages, "messages", 20000, "messages per throughput round")
	flag.IntVar(&s.perTx, "per-tx", 100, "messages per transaction when filling the outbox")
	flag.IntVar(&s.keys, "keys", 300, "distinct keys (gormext orders per key; Watermill has no keys)")
	flag.IntVar(&s.rounds, "rounds", 3, "throughput rounds per contender (the median is reported)")
	flag.IntVar(&s.rate, "rate", 1000, "offered load of the latency run, messages (transactions) per second")
	flag.DurationVar(&s.duration, "duration", 10*time.Second, "length of the latency run")
	flag.IntVar(&s.producers, "producers", 16, "goroutines sharing the latency run's schedule")
	flag.IntVar(&s.batch, "batch", 100, "relay batch size and watermill-sql's SubscribeBatchSize")
	flag.DurationVar(&s.pollInterval, "poll", 10*time.Millisecond, "watermill-sql's poll interval when idle")
	flag.IntVar(&s.wmChannels, "wm-channels", 1, "watermill-amqp's ChannelPoolSize (0: a new channel per Publish, its default)")
	flag.IntVar(&s.latencyRounds, "latency-rounds", 1, "latency runs per contender (the contenders take turns)")
	flag.BoolVar(&s.skipLatency, "skip-latency", false, "run the throughput rounds only")
	flag.Parse()
	if err := s.check(); err != nil {
		log.Fatal("relaybench: ", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	fmt.Printf("%s\n", machine())
	if err := run(ctx, s); err != nil {
		stop()
		log.Fatal("relaybench: ", err)
	}
	fmt.Printf("\ntotal run time %v\n", time.Since(start).Round(time.Second))
}

func (s settings) check() error {
	switch {
	case s.dsn == "":
		return errors.New("set GORMEXT_TEST_POSTGRES_DSN (or -dsn): the outbox and watermill-sql both need PostgreSQL")
	case s.messages < 1, s.perTx < 1, s.keys < 1, s.rounds < 1, s.rate < 1, s.producers < 1, s.producers > poolSize-4, s.latencyRounds < 1, s.batch < 1:
		return fmt.Errorf("-messages, -per-tx, -keys, -rounds, -rate, -producers, -batch and -latency-rounds must be at least 1, -producers at most %d", poolSize-4)
	case s.wmChannels < 0:
		return errors.New("-wm-channels must not be negative")
	case s.duration <= 0, s.pollInterval <= 0:
		return errors.New("-duration and -poll must be positive")
	}
	return nil
}

func run(ctx context.Context, s settings) error {
	f, err := openFixture(ctx, s)
	if err != nil {
		return err
	}
	defer f.close()
	fmt.Printf("%s, RabbitMQ %s\n", f.version, f.brokerVersion)
	if err := throughput(ctx, f, s); err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	if s.skipLatency {
		return nil
	}
	if err := latency(ctx, f, s); err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// machine describes where the figures come from.
func machine() string {
	return fmt.Sprintf("%d CPUs, %s %s/%s", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
