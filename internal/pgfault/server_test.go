package pgfault_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gormext/gormext/internal/pgfault"
)

// TestServer starts a cluster, restarts it and kills a backend: what the
// fault tests rely on.
func TestServer(t *testing.T) {
	srv := pgfault.Start(t)
	db, err := sql.Open("pgx", srv.DSN("pgfault-test"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.PingContext(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if n := srv.Terminate(t, "pgfault-test"); n != 1 {
		t.Fatalf("Terminate killed %d backends, want 1", n)
	}
	if err := conn.PingContext(ctx); err == nil {
		t.Fatal("ping on a terminated backend succeeded")
	}
	_ = conn.Close()

	srv.Exec(t, "CREATE TABLE kept (id int)")
	srv.Exec(t, "INSERT INTO kept VALUES (1)")
	srv.Restart(t, "fast", 0)
	var n int
	srv.Query(t, func(r *sql.Rows) error { return r.Scan(&n) }, "SELECT count(*) FROM kept")
	if n != 1 {
		t.Fatalf("after restart: %d rows, want 1", n)
	}
	srv.Restart(t, "immediate", 0) // a crash: recovery from the WAL
	srv.Query(t, func(r *sql.Rows) error { return r.Scan(&n) }, "SELECT count(*) FROM kept")
	if n != 1 {
		t.Fatalf("after crash recovery: %d rows, want 1", n)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("new connection after restart: %v", err)
	}
}
