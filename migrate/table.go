package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"
)

// DefaultTable is the version table's default name. It holds one row per
// applied migration: version (primary key), name, checksum (SHA-256 of
// the file, hex; empty for Go migrations) and applied_at (UTC).
const DefaultTable = "gormext_migrations"

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Record is a row of the version table.
type Record struct {
	Version   int64
	Name      string
	Checksum  string
	AppliedAt time.Time
}

// ensureTable creates the version table when it is missing. One statement
// is atomic on its own: it needs no migration transaction (on SQLite, the
// foreign-key switching and the check of the whole database before commit).
func (m *Migrator) ensureTable(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, m.dialect.createTable(m.table)); err != nil {
		return fmt.Errorf("migrate: creating %s: %w", m.table, err)
	}
	return nil
}

func (m *Migrator) records(ctx context.Context, ex execQuerier) (map[int64]Record, error) {
	rows, err := ex.QueryContext(ctx, "SELECT version, name, checksum, applied_at FROM "+m.table+" ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("migrate: reading %s: %w", m.table, err)
	}
	defer rows.Close()
	recs := map[int64]Record{}
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Version, &r.Name, &r.Checksum, &r.AppliedAt); err != nil {
			return nil, fmt.Errorf("migrate: reading %s: %w", m.table, err)
		}
		recs[r.Version] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: reading %s: %w", m.table, err)
	}
	return recs, nil
}

// isApplied reads, inside a migration's transaction, whether version is
// recorded: another process may have applied it since the command began.
func (m *Migrator) isApplied(ctx context.Context, ex execQuerier, version int64) (bool, error) {
	var n int
	err := ex.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+m.table+" WHERE version = "+placeholder(m.dialect, 1), version).Scan(&n)
	return n > 0, err
}

func (m *Migrator) insertRecord(ctx context.Context, ex execQuerier, mg *Migration) error {
	q := fmt.Sprintf("INSERT INTO %s (version, name, checksum, applied_at) VALUES (%s, %s, %s, %s)", m.table,
		placeholder(m.dialect, 1), placeholder(m.dialect, 2), placeholder(m.dialect, 3), placeholder(m.dialect, 4))
	_, err := ex.ExecContext(ctx, q, mg.Version, mg.Name, mg.Checksum, time.Now().UTC().Truncate(time.Microsecond))
	return err
}

// deleteRecord removes version's row and reports whether it was there.
func (m *Migrator) deleteRecord(ctx context.Context, ex execQuerier, version int64) (bool, error) {
	res, err := ex.ExecContext(ctx, "DELETE FROM "+m.table+" WHERE version = "+placeholder(m.dialect, 1), version)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (m *Migrator) updateChecksum(ctx context.Context, ex execQuerier, version int64, sum string) error {
	_, err := ex.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET checksum = %s WHERE version = %s", m.table,
		placeholder(m.dialect, 1), placeholder(m.dialect, 2)), sum, version)
	return err
}

func placeholder(d dialect, i int) string {
	if d.name() == "postgres" {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}
