package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/hooks"
)

// tourStart is the time on the injected clock when the tour begins.
var tourStart = time.Date(2026, time.January, 5, 9, 0, 0, 0, time.UTC)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := database.FromEnv() // DATABASE_URL; in-memory SQLite when unset
	if err == nil {
		err = run(ctx, os.Stdout, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run opens the database cfg describes, with the tour's clock injected into
// the hooks plugin, and takes the tour on it, writing to w.
func run(ctx context.Context, w io.Writer, cfg database.Config) error {
	clock := newTourClock(tourStart)
	cfg.Hooks = append(cfg.Hooks, hooks.WithClock(clock.Now))
	if !cfg.Echo {
		cfg.Logger = slog.New(slog.DiscardHandler) // the tour prints what matters
	}
	db, err := database.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer database.Close(db)
	return takeTour(ctx, w, db, clock)
}
