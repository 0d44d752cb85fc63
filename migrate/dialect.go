package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"gorm.io/gorm"
)

// dialect is what differs between the databases: how a command excludes
// other processes, how a migration's transaction begins and ends, and the
// version table's DDL.
type dialect interface {
	name() string
	// acquire prepares conn, pinned for a whole command, and returns what
	// undoes it. PostgreSQL takes a session advisory lock there.
	acquire(ctx context.Context, conn *sql.Conn, table string) (release func(), err error)
	// begin starts a migration's transaction on conn.
	begin(ctx context.Context, conn *sql.Conn) (*txn, error)
	createTable(table string) string
	// exclusive reports whether acquire keeps every other command out for
	// the whole run; if not, each migration reads the version table again
	// inside its transaction.
	exclusive() bool
}

// txn is one migration's transaction.
type txn struct {
	ex       execQuerier
	commit   func(ctx context.Context) error
	rollback func()
}

type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func dialectOf(db *gorm.DB) (dialect, error) {
	switch n := db.Dialector.Name(); n {
	case "postgres":
		return postgresDialect{}, nil
	case "sqlite":
		return sqliteDialect{}, nil
	default:
		return nil, fmt.Errorf("%w: %q (SQLite and PostgreSQL are supported)", ErrUnsupportedDialect, n)
	}
}

// postgresDialect serializes commands with a session-level advisory lock
// held on the command's connection, keyed by the current schema and the
// version table: N processes running up together take turns, and each
// finds what the one before it applied.
type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) exclusive() bool { return true }

func (postgresDialect) acquire(ctx context.Context, conn *sql.Conn, table string) (func(), error) {
	var schema string
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("migrate: reading the current schema: %w", err)
	}
	key := lockKey(schema + "." + table)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return nil, fmt.Errorf("migrate: taking the migration lock: %w", err)
	}
	return func() {
		// A fresh context: the lock must go even when ctx has ended. Were
		// this to fail, closing the connection would release it.
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
	}, nil
}

func (postgresDialect) begin(ctx context.Context, conn *sql.Conn) (*txn, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txn{
		ex:       tx,
		commit:   func(context.Context) error { return tx.Commit() },
		rollback: func() { _ = tx.Rollback() },
	}, nil
}

func (postgresDialect) createTable(t string) string {
	return `CREATE TABLE IF NOT EXISTS ` + t + ` (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	checksum TEXT NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL
)`
}

// lockKey is the advisory lock's 64-bit key for a name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("gormext/migrate:" + name))
	return int64(h.Sum64())
}

// sqliteDialect relies on SQLite's write lock: each migration's
// transaction is BEGIN IMMEDIATE, which waits (busy timeout) for the
// writer before it, and reads the version table again inside the lock.
// Foreign-key enforcement is switched off on the connection for the
// transaction (a table rebuild drops and recreates referenced tables, and
// the pragma cannot change inside a transaction) and the foreign keys are
// checked before commit instead.
type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) exclusive() bool { return false }

func (sqliteDialect) acquire(context.Context, *sql.Conn, string) (func(), error) {
	return func() {}, nil
}

func (sqliteDialect) begin(ctx context.Context, conn *sql.Conn) (*txn, error) {
	var fk bool
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return nil, err
	}
	restore := func() {
		if fk {
			_, _ = conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON")
		}
	}
	if fk {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return nil, err
		}
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		restore()
		return nil, err
	}
	rollback := func() {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		restore()
	}
	commit := func(ctx context.Context) error {
		if fk {
			if err := foreignKeyCheck(ctx, conn); err != nil {
				return err
			}
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			return err
		}
		restore()
		return nil
	}
	return &txn{ex: conn, commit: commit, rollback: rollback}, nil
}

// foreignKeyCheck fails when a row violates a foreign key after the
// migration's statements ran.
func foreignKeyCheck(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		tables = append(tables, fmt.Sprintf("%s (row %d) -> %s", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(tables) > 0 {
		return errors.New("foreign key violations after the migration: " + strings.Join(tables, ", "))
	}
	return nil
}

func (sqliteDialect) createTable(t string) string {
	return `CREATE TABLE IF NOT EXISTS ` + t + ` (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	checksum TEXT NOT NULL,
	applied_at DATETIME NOT NULL
)`
}
