package outbox

import (
	"context"
	"database/sql/driver"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// listen keeps a connection of the pool in LISTEN on the table's channel
// and turns each notification into a signal, until stop. It reconnects
// after a failure (and then signals, a notification may have been
// missed). With a driver other than pgx it does nothing: polling remains.
func (r *Relay) listen(ctx context.Context, signal chan struct{}) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			err := r.listenOnce(ctx, signal)
			if errors.Is(err, errNotPgx) {
				return
			}
			if ctx.Err() == nil {
				slog.WarnContext(ctx, "outbox: relay LISTEN connection failed", "table", r.cfg.table, "error", err)
				sleepCtx(ctx, r.backoff(2))
				notify(signal)
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

var errNotPgx = errors.New("outbox: not a pgx connection")

// listenOnce listens on one connection until it fails or ctx ends.
func (r *Relay) listenOnce(ctx context.Context, signal chan struct{}) error {
	sqlDB, err := r.db.DB()
	if err != nil {
		return errNotPgx
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := pgxConn(dc)
		if !ok {
			return errNotPgx
		}
		err := waitNotifications(ctx, c.Conn(), channel(r.cfg.table), signal)
		if ctx.Err() != nil || c.Conn().IsClosed() {
			return errors.Join(err, driver.ErrBadConn) // not back to the pool
		}
		return err
	})
}

func waitNotifications(ctx context.Context, c *pgx.Conn, ch string, signal chan struct{}) error {
	if _, err := c.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
		return err
	}
	notify(signal) // messages may have come before the LISTEN
	for {
		if _, err := c.WaitForNotification(ctx); err != nil {
			return err
		}
		notify(signal)
	}
}

func notify(signal chan struct{}) {
	select {
	case signal <- struct{}{}:
	default:
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// pgxConn finds pgx's connection in a driver connection, through wrappers
// that have Unwrap (as package database's have).
func pgxConn(dc any) (*stdlib.Conn, bool) {
	for range 8 {
		switch c := dc.(type) {
		case *stdlib.Conn:
			return c, true
		case interface{ Unwrap() driver.Conn }:
			dc = c.Unwrap()
		default:
			return nil, false
		}
	}
	return nil, false
}
