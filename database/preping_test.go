package database_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

// With PoolPrePing, a pooled PostgreSQL connection whose backend was
// terminated while idle never reaches the caller as an error: it is
// pinged on checkout, found dead and replaced. (Without it, pgx pings only
// connections idle for more than a second, so the next statement would
// fail with SQLSTATE 57P01.)
func TestPoolPrePingReplacesAConnectionKilledWhileIdle(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("pre-ping checks PostgreSQL connections; set " + testdb.EnvPostgresDSN)
	}
	db := testdb.Open(t, testdb.Postgres, testdb.WithConfig(func(c *database.Config) {
		c.PoolPrePing, c.PoolSize, c.MaxOverflow = true, 1, -1
	}))
	admin, err := sql.Open("pgx", testdb.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	for round := range 3 {
		var pid int
		if err := db.Raw("SELECT pg_backend_pid()").Scan(&pid).Error; err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if _, err := admin.Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
		waitGone(t, admin, pid)
		var after int
		if err := db.Raw("SELECT pg_backend_pid()").Scan(&after).Error; err != nil {
			t.Fatalf("round %d: the statement after the backend was killed failed: %v", round, err)
		}
		if after == pid {
			t.Fatalf("round %d: still on the killed backend %d", round, pid)
		}
	}
}

// waitGone waits until the backend pid has left pg_stat_activity.
func waitGone(t *testing.T, admin *sql.DB, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		if err := admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatalf("backend %d still there 10 s after pg_terminate_backend", pid)
}
