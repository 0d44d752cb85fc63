package outbox

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// States of a message in the outbox table's state column.
const (
	statePending = 0 // waiting to be published (or claimed by a relay)
	stateSent    = 1 // published, kept for WithRetention
	stateDead    = 2 // failed WithMaxAttempts times; last_error says why
)

// Schema returns the SQL that creates the outbox and inbox tables for
// dialect ("postgres" or "sqlite"), with the names of WithTable and
// WithInboxTable: what AutoMigrate runs, for migration tools. Times are
// Unix microseconds.
func Schema(dialect string, opts ...Option) (string, error) {
	c := newConfig(opts)
	if err := validTable(c.table); err != nil {
		return "", err
	}
	if err := validTable(c.inboxTable); err != nil {
		return "", err
	}
	seq, blob := "seq bigserial PRIMARY KEY", "bytea"
	switch dialect {
	case "postgres":
	case "sqlite":
		seq, blob = "seq INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"
	default:
		return "", fmt.Errorf("outbox: no schema for dialect %q (postgres, sqlite)", dialect)
	}
	return strings.NewReplacer("{t}", c.table, "{ti}", indexPrefix(c.table), "{in}", c.inboxTable,
		"{seq}", seq, "{blob}", blob).Replace(schemaSQL), nil
}

const schemaSQL = `CREATE TABLE IF NOT EXISTS {t} (
	{seq},
	id text NOT NULL,
	topic text NOT NULL,
	key text NOT NULL,
	payload {blob} NOT NULL,
	headers text NOT NULL,
	created_at bigint NOT NULL,
	state smallint NOT NULL DEFAULT 0,
	attempts integer NOT NULL DEFAULT 0,
	due_at bigint NOT NULL DEFAULT 0,
	claimed_until bigint NOT NULL DEFAULT 0,
	claimed_by text NOT NULL DEFAULT '',
	last_error text NOT NULL DEFAULT '',
	sent_at bigint NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS {ti}_pending ON {t} (key, seq) WHERE state = 0;
CREATE INDEX IF NOT EXISTS {ti}_pending_seq ON {t} (seq) WHERE state = 0;
CREATE INDEX IF NOT EXISTS {ti}_sent ON {t} (sent_at) WHERE state = 1;
CREATE TABLE IF NOT EXISTS {in} (
	id text PRIMARY KEY,
	handled_at bigint NOT NULL
);
`

// indexPrefix is the table name without its schema (an index lives in its
// table's schema).
func indexPrefix(table string) string {
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		return table[i+1:]
	}
	return table
}

// AutoMigrate creates the outbox and inbox tables and their indexes on db
// when they do not exist (see Schema).
func AutoMigrate(ctx context.Context, db *gorm.DB, opts ...Option) error {
	sql, err := Schema(db.Dialector.Name(), opts...)
	if err != nil {
		return err
	}
	for stmt := range strings.SplitSeq(sql, ";\n") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if err := db.WithContext(ctx).Exec(stmt).Error; err != nil {
			return fmt.Errorf("outbox: migrate: %w", err)
		}
	}
	return nil
}
