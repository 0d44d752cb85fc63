package database_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/atcommit"
	"github.com/gormext/gormext/internal/testdb"
)

// The tests below watch a sequence: nextval is not transactional, so
// another connection sees at once whether a statement calling it has run,
// whatever becomes of its transaction.

// oneConn opens PostgreSQL through Open with one connection (and opts),
// and a table t (id) and a sequence s in its schema.
func oneConn(t *testing.T, opts ...testdb.Option) *sql.DB {
	t.Helper()
	if testdb.PostgresDSN() == "" {
		t.Skip(testdb.EnvPostgresDSN + " not set")
	}
	db := testdb.Open(t, testdb.Postgres, append(opts, testdb.WithConfig(func(c *database.Config) {
		c.PoolSize, c.MaxOverflow = 1, -1
	}))...)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"CREATE TABLE t (id integer PRIMARY KEY)",
		"CREATE SEQUENCE s",
	} {
		if _, err := sqlDB.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	return sqlDB
}

// heldNextval is a statement that may travel with COMMIT.
const heldNextval = database.AtCommit + "SELECT nextval('s')"

// sequence reads the last value of s in tx's schema from a connection of
// its own.
func sequence(t *testing.T, db *sql.DB, schema string) int64 {
	t.Helper()
	other, err := sql.Open("pgx", testdb.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var v int64
	var called bool
	if err := other.QueryRow("SELECT last_value, is_called FROM "+schema+".s").Scan(&v, &called); err != nil {
		t.Fatal(err)
	}
	if !called {
		return 0
	}
	return v
}

// wantRows fails the test unless table t holds want rows, counted through
// db's pool; what says when.
func wantRows(t *testing.T, db *sql.DB, want int, what string) {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != want {
		t.Fatalf("%s: %d, %v; want %d", what, n, err, want)
	}
}

func schemaOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s string
	if err := db.QueryRow("SELECT current_schema()").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAtCommitStatementTravelsWithCommit(t *testing.T) {
	db := oneConn(t)
	schema := schemaOf(t, db)
	ctx := atcommit.CommitNext(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	res, err := tx.ExecContext(ctx, heldNextval)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.RowsAffected(); !errors.Is(err, database.ErrResultAtCommit) {
		t.Errorf("RowsAffected of a held statement: %v, want ErrResultAtCommit", err)
	}
	if v := sequence(t, db, schema); v != 0 {
		t.Fatalf("the statement ran before COMMIT (sequence at %d)", v)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if v := sequence(t, db, schema); v != 1 {
		t.Fatalf("after COMMIT the sequence is at %d, want 1", v)
	}
	wantRows(t, db, 1, "committed rows")
}

func TestAtCommitStatementRunsAtOnceWithoutCommitNext(t *testing.T) {
	db := oneConn(t)
	schema := schemaOf(t, db)
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(heldNextval); err != nil {
		t.Fatal(err)
	}
	if v := sequence(t, db, schema); v != 1 {
		t.Fatalf("a marked statement outside a flush before COMMIT was held (sequence at %d)", v)
	}
}

func TestAtCommitStatementDroppedByRollback(t *testing.T) {
	db := oneConn(t)
	schema := schemaOf(t, db)
	ctx := atcommit.CommitNext(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, heldNextval); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if v := sequence(t, db, schema); v != 0 {
		t.Fatalf("a held statement was sent although the transaction rolled back (sequence at %d)", v)
	}
}

func TestAtCommitStatementSentBeforeTheNextOne(t *testing.T) {
	db := oneConn(t)
	ctx := atcommit.CommitNext(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, stmt := range []string{
		database.AtCommit + "INSERT INTO t VALUES (1)",
		database.AtCommit + "INSERT INTO t SELECT max(id) + 1 FROM t",
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int
	rows, err := tx.QueryContext(ctx, "SELECT id FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("a query after two held statements sees %v, want [1 2]", ids)
	}
}

func TestAtCommitStatementFailureFailsCommit(t *testing.T) {
	db := oneConn(t)
	ctx := atcommit.CommitNext(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, database.AtCommit+"INSERT INTO t VALUES ($1)", 1); err != nil {
		t.Fatalf("a held statement failed at once: %v", err)
	}
	err = tx.Commit()
	var pg *pgconn.PgError
	if !errors.Is(err, gorm.ErrDuplicatedKey) || !errors.As(err, &pg) || pg.Code != "23505" {
		t.Fatalf("Commit after a held statement that violates a key: %v, want the unique violation", err)
	}
	// Nothing committed, and the pool's one connection is usable.
	wantRows(t, db, 0, "rows after a failed commit")
	if _, err := db.Exec("INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("the connection after a failed commit: %v", err)
	}
}

// holdLock takes advisory lock 4242 in a session of its own until the
// returned function is called.
func holdLock(t *testing.T) (unlock func()) {
	t.Helper()
	other, err := sql.Open("pgx", testdb.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	holder, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })
	if _, err := holder.ExecContext(context.Background(), "SELECT pg_advisory_lock(4242)"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := holder.ExecContext(context.Background(), "SELECT pg_advisory_unlock(4242)"); err != nil {
			t.Error(err)
		}
	}
}

// waitForLock returns once a statement waits for advisory lock 4242.
func waitForLock(t *testing.T) {
	t.Helper()
	other, err := sql.Open("pgx", testdb.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		err := other.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock(4242)%'").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
	}
	t.Fatal("no statement waits for the lock")
}

// TestAtCommitCancelledDuringCommit cancels the context of a held
// statement while, sent with the COMMIT, it waits for a lock: the server
// cancels the statement, the COMMIT does not run, and the error says why.
// The transaction's own context (txctx's cannot be cancelled by the
// caller) is not cancelled: the connection stays in use.
func TestAtCommitCancelledDuringCommit(t *testing.T) {
	db := oneConn(t)
	schema := schemaOf(t, db)
	unlock := holdLock(t)
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := cancellableCommitNext()
	defer cancel()
	if _, err := tx.ExecContext(ctx, database.AtCommit+"SELECT pg_advisory_xact_lock(4242), nextval('s')"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- tx.Commit() }()
	waitForLock(t)
	cancel()
	err = <-done
	var pg *pgconn.PgError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &pg) || pg.Code != "57014" {
		t.Fatalf("Commit whose statement was cancelled: %v; want context.Canceled and the server's query_canceled", err)
	}
	unlock()
	wantRows(t, db, 0, "rows after a cancelled commit")
	if v := sequence(t, db, schema); v != 0 {
		t.Fatalf("the held statement ran to its end (sequence at %d)", v)
	}
}

// TestAtCommitCancelledBeforeCommit: a held statement whose context has
// ended before Commit is not sent: Commit fails with the context's error
// and rolls back.
func TestAtCommitCancelledBeforeCommit(t *testing.T) {
	db := oneConn(t)
	schema := schemaOf(t, db)
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := cancellableCommitNext()
	if _, err := tx.ExecContext(ctx, heldNextval); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := tx.Commit(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit of a statement whose context ended: %v, want context.Canceled", err)
	}
	wantRows(t, db, 0, "rows from a working pool")
	if v := sequence(t, db, schema); v != 0 {
		t.Fatalf("the statement was sent (sequence at %d)", v)
	}
}

// TestAtCommitTransactionCancelledDuringCommit cancels the transaction's
// own context during the pipelined COMMIT, as database/sql's callers may:
// Commit fails, the connection is given up and replaced, and what the
// statement waited for is cancelled on the server too.
func TestAtCommitTransactionCancelledDuringCommit(t *testing.T) {
	db := oneConn(t)
	unlock := holdLock(t)
	ctx, cancel := cancellableCommitNext()
	defer cancel()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, database.AtCommit+"SELECT pg_advisory_xact_lock(4242)"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- tx.Commit() }()
	waitForLock(t)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Commit succeeded although its context ended while its statement waited")
	}
	unlock()
	wantRows(t, db, 0, "rows after a cancelled commit, from a working pool")
}

func TestAtCommitMarkerIsACommentOnSQLite(t *testing.T) {
	gdb := testdb.Open(t, testdb.SQLite)
	db, err := gdb.DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (id integer PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	ctx := atcommit.CommitNext(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, database.AtCommit+"INSERT INTO t VALUES (1)")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("RowsAffected on SQLite: %d, %v; want 1: the statement runs at once", n, err)
	}
}

// TestAtCommitInEveryQueryExecMode: held statements travel with the
// COMMIT, and a failing one fails it and leaves a usable connection, in
// each of pgx's query exec modes (a DSN setting; PgBouncer setups use exec
// or simple_protocol).
func TestAtCommitInEveryQueryExecMode(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip(testdb.EnvPostgresDSN + " not set")
	}
	for _, mode := range []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			db := execModeDB(t, mode)
			ctx := atcommit.CommitNext(context.Background())
			commit := func(id int) error {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, database.AtCommit+"INSERT INTO t VALUES ($1)", id); err != nil {
					t.Fatal(err)
				}
				return tx.Commit()
			}
			if err := commit(1); err != nil {
				t.Fatalf("commit: %v", err)
			}
			for range 2 { // the second time with the statement prepared, where the mode prepares
				if err := commit(1); !errors.Is(err, gorm.ErrDuplicatedKey) {
					t.Fatalf("Commit of a held duplicate: %v, want gorm.ErrDuplicatedKey", err)
				}
			}
			if err := commit(2); err != nil {
				t.Fatalf("the connection after a failed commit: %v", err)
			}
			wantRows(t, db, 2, "rows")
		})
	}
}

// execModeDB opens PostgreSQL through Open with one connection in pgx's
// query exec mode, on a schema of the test's with a table t (id).
func execModeDB(t *testing.T, mode string) *sql.DB {
	t.Helper()
	schema := schemaOf(t, oneConn(t))
	dsn := testdb.PostgresDSN() + " search_path=" + schema + " default_query_exec_mode=" + mode
	if strings.Contains(testdb.PostgresDSN(), "://") {
		dsn = testdb.PostgresDSN() + sep(testdb.PostgresDSN()) + "search_path=" + schema + "&default_query_exec_mode=" + mode
	}
	gdb, err := database.Open(context.Background(), database.Config{URL: dsn, PoolSize: 1, MaxOverflow: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(gdb) })
	db, err := gdb.DB()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}

// cancellableCommitNext is a context marked for COMMIT next that the test
// can cancel, as a caller cancels txctx.Run's.
func cancellableCommitNext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	return atcommit.CommitNext(ctx), cancel
}
