package reliability_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/txctx"
)

// TestIdleConnectionsKilled kills every connection of a pool while they
// sit idle in it, then at once runs one transaction per connection, before
// pgx's liveness ping (only for connections idle over 1 s) would notice.
// A call that finds its connection dead before sending anything is retried
// by database/sql on another one; one whose BEGIN was sent and answered by
// the backend's FATAL 57P01 is not (known limitation L1 of
// docs/reliability.md). What must hold: at most one failure per killed
// connection, each a clean error, then a batch that all succeeds. Plain
// GORM on pgx runs the same as the reference: package database's pool must
// do no worse.
func TestIdleConnectionsKilled(t *testing.T) {
	const conns = 4
	t.Run("plain-gorm", func(t *testing.T) {
		srv := pgfault.Start(t)
		testIdleKilled(t, srv, openPlain(t, srv, "idle", conns), conns)
	})
	t.Run("database", func(t *testing.T) {
		srv := pgfault.Start(t)
		testIdleKilled(t, srv, open(t, srv, "idle", database.Config{PoolSize: conns, MaxOverflow: -1, PoolTimeout: 2 * time.Second}), conns)
	})
}

func openPlain(t *testing.T, srv *pgfault.Server, app string, conns int) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(postgres.Open(srv.DSN(app)), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

func testIdleKilled(t *testing.T, srv *pgfault.Server, db *gorm.DB, conns int) {
	srv.Exec(t, "CREATE TABLE "+rowsTable+" (id bigint PRIMARY KEY, worker int NOT NULL, phase text NOT NULL)")
	ctx := txctx.WithDB(context.Background(), db)
	// Open conns connections, then use each again: pgx pings a connection
	// on reuse when its last use is over 1 s old, or when it was never
	// reused; after the second round none of them qualifies.
	for range 2 {
		concurrently(t, ctx, conns, 100*time.Millisecond)
		waitIdle(t, db)
	}
	if n := srv.Terminate(t, "idle"); n != conns {
		t.Fatalf("killed %d idle backends, want %d", n, conns)
	}
	time.Sleep(100 * time.Millisecond) // the server has closed them; pgx has not looked
	// Each dead connection fails the one call that takes it, then is
	// replaced: at most conns failures in all, then a batch all succeeds.
	failed := 0
	for batch := 1; ; batch++ {
		errs := concurrently(t, ctx, conns, 0)
		waitIdle(t, db)
		for _, err := range errs {
			// 57P01 when BEGIN reached the dead socket (L1); ErrBadConn
			// when pgx found it dead before sending, which package
			// database's pool passes on (L3) and plain GORM retries.
			if code := sqlState(err); code != "57P01" && !errors.Is(err, driver.ErrBadConn) {
				t.Errorf("a call on a killed connection failed with %v, want SQLSTATE 57P01 (admin shutdown)", err)
			}
		}
		failed += len(errs)
		if len(errs) == 0 {
			t.Logf("%d calls failed over %d batches, then a batch of %d all succeeded", failed, batch-1, conns)
			break
		}
		if failed > conns || batch > conns {
			t.Fatalf("%d calls failed over %d batches after %d connections were killed: the pool does not heal", failed, batch, conns)
		}
	}
}

// concurrently runs n transactions at once, each holding its connection
// for hold, and returns their errors.
func concurrently(t *testing.T, ctx context.Context, n int, hold time.Duration) []error {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = txctx.Run(ctx, func(ctx context.Context) error {
				return pause(ctx, hold)
			}, txctx.WithTimeout(5*time.Second))
		}()
	}
	wg.Wait()
	return nonNil(errs)
}

func nonNil(errs []error) []error {
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}
