package reliability_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/txctx"
)

// TestStatementTimeout: a statement running past PostgreSQL's
// statement_timeout fails with SQLSTATE 57014; the transaction rolls back
// and the connection serves the next call.
func TestStatementTimeout(t *testing.T) {
	srv, db := setup(t, "timeout", database.Config{PoolSize: 2, PoolTimeout: 2 * time.Second})
	ctx := txctx.WithDB(context.Background(), db)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := txctx.DB(ctx).Exec("SET LOCAL statement_timeout = '100ms'").Error; err != nil {
			return err
		}
		if err := insert(ctx, 1, 0, "tx"); err != nil {
			return err
		}
		return pause(ctx, 30*time.Second)
	}, txctx.WithTimeout(20*time.Second))
	if code := sqlState(err); code != "57014" {
		t.Fatalf("statement past statement_timeout: %v, want SQLSTATE 57014 (query_canceled)", err)
	}
	checkRows(t, srv, nil, []int64{1})
	checkUsable(t, db)
}

// TestContextDeadline: a statement running past the deadline of
// txctx.WithTimeout is cancelled on the server; Run returns an error
// wrapping context.DeadlineExceeded and rolls back.
func TestContextDeadline(t *testing.T) {
	srv, db := setup(t, "deadline", database.Config{PoolSize: 2, PoolTimeout: 2 * time.Second})
	ctx := txctx.WithDB(context.Background(), db)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := insert(ctx, 1, 0, "tx"); err != nil {
			return err
		}
		return pause(ctx, 30*time.Second)
	}, txctx.WithTimeout(200*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("statement past the Run deadline: %v, want context.DeadlineExceeded", err)
	}
	checkRows(t, srv, nil, []int64{1})
	// pgx cancels the statement on the server from a goroutine of its own
	// (a cancel request sent as it closes the connection), so the server
	// may take a moment to end it: wait for that, well short of pg_sleep's
	// 30 s. Nothing is timed.
	sleeping := -1
	for deadline := time.Now().Add(10 * time.Second); sleeping != 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		srv.Query(t, scanInt(&sleeping), "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'")
	}
	if sleeping != 0 {
		t.Errorf("%d pg_sleep statements still running on the server 10 s after the deadline", sleeping)
	}
	checkUsable(t, db)
}

// TestLockTimeout: a statement waiting for a row lock longer than
// lock_timeout fails with SQLSTATE 55P03; the holder commits unharmed.
func TestLockTimeout(t *testing.T) {
	srv, db := setup(t, "lock", database.Config{PoolSize: 4, PoolTimeout: 2 * time.Second})
	srv.Exec(t, "INSERT INTO "+rowsTable+" VALUES (1, 0, 'seed')")
	ctx := txctx.WithDB(context.Background(), db)
	locked, release := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- txctx.Run(ctx, func(ctx context.Context) error {
			if err := txctx.DB(ctx).Exec("UPDATE " + rowsTable + " SET phase = 'held' WHERE id = 1").Error; err != nil {
				close(locked)
				return err
			}
			close(locked)
			<-release
			return nil
		}, txctx.WithTimeout(20*time.Second))
	}()
	<-locked
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := txctx.DB(ctx).Exec("SET LOCAL lock_timeout = '100ms'").Error; err != nil {
			return err
		}
		return txctx.DB(ctx).Exec("UPDATE " + rowsTable + " SET phase = 'waiter' WHERE id = 1").Error
	}, txctx.WithTimeout(20*time.Second))
	close(release)
	if code := sqlState(err); code != "55P03" {
		t.Errorf("update past lock_timeout: %v, want SQLSTATE 55P03 (lock_not_available)", err)
	}
	if err := <-holder; err != nil {
		t.Fatalf("lock holder: %v", err)
	}
	var phase string
	srv.Query(t, scanString(&phase), "SELECT phase FROM "+rowsTable+" WHERE id = 1")
	if phase != "held" {
		t.Errorf("row phase %q, want the holder's %q", phase, "held")
	}
	checkUsable(t, db)
}
