package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/txctx"
)

const usage = `usage: worker relay | consume

  relay    publish the outbox of DATABASE_URL (the httpapi example's database) to RabbitMQ
  consume  handle the events of the queue: articles per author, with the inbox

environment: DATABASE_URL, AMQP_URL (both required), AMQP_EXCHANGE, AMQP_QUEUE`

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "relay" && os.Args[1] != "consume") {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], log); err != nil {
		log.Error("worker stopped", slog.Any("error", err))
		os.Exit(1)
	}
}

// run opens the database, declares the topology and runs the command
// until ctx ends.
func run(ctx context.Context, cmd string, log *slog.Logger) error {
	cfg, err := configFromEnv()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, log)
	if err != nil {
		return err
	}
	defer func() { _ = database.Close(db) }()
	// Bind db at the edge, before it serves statements (txctx registers
	// its callbacks at a *gorm.DB's first binding).
	ctx = txctx.WithDB(ctx, db)
	if err := Declare(cfg); err != nil {
		return err
	}
	log.Info("running", "command", cmd, "exchange", cfg.Exchange, "queue", cfg.Queue)
	if cmd == "relay" {
		return Relay(ctx, db, cfg)
	}
	if err := Migrate(ctx, db); err != nil {
		return err
	}
	return Consume(ctx, cfg, Handler(db, log), log)
}

// openDatabase opens DATABASE_URL (database.FromEnv), which must be set.
func openDatabase(ctx context.Context, log *slog.Logger) (*gorm.DB, error) {
	if os.Getenv("DATABASE_URL") == "" {
		return nil, ErrNoDatabase
	}
	cfg, err := database.FromEnv()
	if err != nil {
		return nil, err
	}
	cfg.Logger = log
	return database.Open(ctx, cfg)
}
