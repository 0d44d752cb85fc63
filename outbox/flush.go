package outbox

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/gormext/gormext/internal/atcommit"
	"github.com/gormext/gormext/txctx"
)

// maxRowsPerInsert keeps an INSERT's parameters within what both databases
// accept.
const maxRowsPerInsert = 500

// flush writes the messages of a transaction just before its COMMIT. On
// PostgreSQL the same statement takes a transaction-scoped advisory lock
// per key (in one order, so two transactions cannot deadlock on them) and
// sends the NOTIFY: a transaction with messages of a key waits, before it
// takes their sequence numbers, until the one that wrote the key before
// has committed or rolled back, so per key the sequence is the commit
// order and no relay can see a later message before an earlier one.
//
// The statements start with the at-commit marker: through database.Open's
// pool on PostgreSQL they travel in the same round trip as the COMMIT
// (see database.AtCommit); elsewhere each is a round trip of its own.
func (s *Store) flush(ctx context.Context, rows []row) error {
	db := txctx.DB(ctx)
	pg := db.Dialector.Name() == "postgres"
	locks := lockKeys(s.cfg.table, rows) // all taken by the first statement, in one order
	for chunk := range slices.Chunk(rows, maxRowsPerInsert) {
		query, args := s.insert(chunk, locks, pg)
		locks = nil
		if err := db.Exec(query, args...).Error; err != nil {
			return err
		}
	}
	txctx.AfterCommit(ctx, func(context.Context) { wake(s.cfg.table) })
	return nil
}

// insert builds the statement that stores rows.
func (s *Store) insert(rows []row, locks []int64, pg bool) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(rows)*6+len(locks)+1)
	b.WriteString(atcommit.Marker)
	if pg && len(locks) > 0 {
		b.WriteString("WITH locks AS (SELECT count(pg_advisory_xact_lock(k)) AS n FROM (VALUES ")
		for i, k := range locks {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?::bigint)")
			args = append(args, k)
		}
		b.WriteString(") v(k)), ")
	} else if pg {
		b.WriteString("WITH ")
	}
	if pg {
		b.WriteString("ins AS (")
	}
	b.WriteString("INSERT INTO " + s.cfg.table + " (id, topic, key, payload, headers, created_at) ")
	if pg {
		b.WriteString("SELECT v.* FROM (VALUES ")
	} else {
		b.WriteString("VALUES ")
	}
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		if pg {
			b.WriteString("(?, ?, ?, ?::bytea, ?, ?::bigint)")
		} else {
			b.WriteString("(?, ?, ?, ?, ?, ?)")
		}
		args = append(args, r.ID, r.Topic, r.Key, r.Payload, r.Headers, r.CreatedAt)
	}
	if pg {
		b.WriteString(") v(id, topic, key, payload, headers, created_at)")
		if len(locks) > 0 {
			b.WriteString(" CROSS JOIN locks")
		}
		b.WriteString(" RETURNING 1) SELECT ")
		if s.cfg.notify {
			b.WriteString("pg_notify(?, '') FROM (SELECT count(*) FROM ins) c")
			args = append(args, channel(s.cfg.table))
		} else {
			b.WriteString("count(*) FROM ins")
		}
	}
	return b.String(), args
}

// lockKeys returns the advisory lock keys of the rows' non-empty keys,
// sorted and without duplicates.
func lockKeys(table string, rows []row) []int64 {
	var keys []int64
	for _, r := range rows {
		if r.Key != "" {
			keys = append(keys, lockKey(table, r.Key))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// lockKey is the advisory lock of key in table.
func lockKey(table, key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(table))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return int64(h.Sum64())
}

// channel is the NOTIFY channel of table.
func channel(table string) string {
	name := "gormext_outbox_" + strings.ReplaceAll(table, ".", "__")
	if len(name) > 63 { // PostgreSQL's limit on identifiers
		name = fmt.Sprintf("gormext_outbox_%x", uint64(lockKey("channel", table)))
	}
	return name
}

// Channel returns the PostgreSQL NOTIFY channel on which Add announces
// commits with messages in table, and on which relays LISTEN.
func Channel(table string) string { return channel(table) }
