package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/migrate"
)

// shutdownGrace is how long in-flight requests get to finish on shutdown.
const shutdownGrace = 10 * time.Second

func main() {
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		migrate.Main(migrateConfig(os.Args[2:]))
	}
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	timeout := flag.Duration("request-timeout", DefaultRequestTimeout, "deadline of each request")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, log, *addr, Config{Logger: log, RequestTimeout: *timeout, CursorKey: cursorKeyFromEnv()}); err != nil {
		log.Error("httpapi stopped", slog.Any("error", err))
		os.Exit(1)
	}
}

// cursorKeyFromEnv reads CURSOR_KEY, the key that signs listing cursors.
func cursorKeyFromEnv() []byte {
	if key := os.Getenv("CURSOR_KEY"); key != "" {
		return []byte(key)
	}
	return nil
}

// serve opens the database named by DATABASE_URL, applies the migrations and
// serves on addr until ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, log *slog.Logger, addr string, cfg Config) error {
	db, err := openDatabase(ctx, log)
	if err != nil {
		return err
	}
	defer closeDB(db)
	handler := NewServer(db, cfg)
	// The relay outlives the server's graceful shutdown, so that the events
	// of the last requests are published too; it stops when serve returns.
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	relayDone := startRelay(relayCtx, db, log)
	defer func() { stopRelay(); <-relayDone }()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.withDefaults().RequestTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("serving", slog.String("addr", "http://"+ln.Addr().String()))
	if err := runServer(ctx, srv, ln); err != nil {
		return err
	}
	log.Info("shut down gracefully")
	return nil
}

// runServer serves on ln until ctx is done, then stops accepting requests
// and waits up to shutdownGrace for those in flight.
func runServer(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openDatabase opens the database of DATABASE_URL (in-memory SQLite when it
// is not set) and applies the pending migrations.
func openDatabase(ctx context.Context, log *slog.Logger) (*gorm.DB, error) {
	cfg, err := database.FromEnv()
	if err != nil {
		return nil, err
	}
	cfg.Logger = log
	db, err := database.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := Migrate(ctx, db); err != nil {
		closeDB(db)
		return nil, err
	}
	return db, nil
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
