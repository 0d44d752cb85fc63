package outbox

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/txctx"
)

// Idempotent is Transactional with an inbox: in the handler's own
// transaction it records msg.ID in the inbox table (WithInboxTable,
// default DefaultInboxTable) before calling h, and when the ID is there
// already — the message was handled and committed before, and this is a
// redelivery — it returns nil without calling h, so that the consumer
// acknowledges it. h's effects and the record commit or roll back
// together: each message's effects happen once, however often it is
// delivered. A redelivery that arrives while the first delivery is still
// in its transaction waits for it (PostgreSQL: on the inbox's key; SQLite:
// on the write lock). A message without an ID is refused with
// ErrNoMessageID.
func Idempotent(db *gorm.DB, h Handler, opts ...Option) Handler {
	c := newConfig(opts)
	stmt := "INSERT INTO " + c.inboxTable + " (id, handled_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"
	tableErr := validTable(c.inboxTable)
	tx := Transactional(db, func(ctx context.Context, msg Message) error {
		res := txctx.DB(ctx).Exec(stmt, msg.ID, time.Now().UnixMicro())
		if res.Error != nil {
			return fmt.Errorf("outbox: inbox: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // handled before
		}
		return h(ctx, msg)
	}, opts...)
	return func(ctx context.Context, msg Message) error {
		// Refused before a transaction is begun for them.
		if tableErr != nil {
			return tableErr
		}
		if msg.ID == "" {
			return ErrNoMessageID
		}
		return tx(ctx, msg)
	}
}

// PurgeInbox deletes the inbox records older than age: once no broker can
// redeliver a message that old, its record is of no more use.
func PurgeInbox(ctx context.Context, db *gorm.DB, age time.Duration, opts ...Option) (int64, error) {
	c := newConfig(opts)
	if err := validTable(c.inboxTable); err != nil {
		return 0, err
	}
	res := db.WithContext(ctx).Exec("DELETE FROM "+c.inboxTable+" WHERE handled_at < ?", time.Now().Add(-age).UnixMicro())
	return res.RowsAffected, res.Error
}
