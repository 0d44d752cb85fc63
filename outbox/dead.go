package outbox

import (
	"context"

	"gorm.io/gorm"
)

// DeadMessage is a message that failed WithMaxAttempts times.
type DeadMessage struct {
	Message
	Attempts  int
	LastError string
}

// Dead lists up to limit dead messages of the outbox table (WithTable), in
// sequence order.
func Dead(ctx context.Context, db *gorm.DB, limit int, opts ...Option) ([]DeadMessage, error) {
	c := newConfig(opts)
	if err := validTable(c.table); err != nil {
		return nil, err
	}
	var rows []row
	err := db.WithContext(ctx).Raw("SELECT seq, id, topic, key, payload, headers, created_at, attempts, last_error FROM "+
		c.table+" WHERE state = ? ORDER BY seq LIMIT ?", stateDead, limit).Scan(&rows).Error
	out := make([]DeadMessage, len(rows))
	for i := range rows {
		out[i] = DeadMessage{Message: rows[i].message(), Attempts: rows[i].Attempts, LastError: rows[i].LastError}
	}
	return out, err
}

// Requeue makes the dead messages with the given IDs pending again, with
// their attempts reset, and returns how many it found. A requeued message
// keeps its sequence number: it goes before the pending messages of its
// key that were added after it, while those already published stay so.
func Requeue(ctx context.Context, db *gorm.DB, ids []string, opts ...Option) (int64, error) {
	c := newConfig(opts)
	if err := validTable(c.table); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := db.WithContext(ctx).Exec("UPDATE "+c.table+" SET state = ?, attempts = 0, due_at = 0, last_error = '', claimed_until = 0, claimed_by = '' WHERE state = ? AND id IN ?",
		statePending, stateDead, ids)
	if res.Error == nil {
		wake(c.table)
	}
	return res.RowsAffected, res.Error
}
