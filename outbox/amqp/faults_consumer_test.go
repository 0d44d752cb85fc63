package amqp_test

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// receipts are the messages the consumer got from the queue, in the order
// of their first delivery, before its handler ran.
type receipts struct {
	mu       sync.Mutex
	first    []outbox.Message     // first deliveries, in order
	at       map[string]time.Time // when each was first delivered
	count    map[string]int       // deliveries of each
	handled  []outbox.Message     // in the order their handler first succeeded
	ok       map[string]bool
	failures int // handler errors (nacked, so delivered again)
}

func newReceipts() *receipts {
	return &receipts{at: map[string]time.Time{}, count: map[string]int{}, ok: map[string]bool{}}
}

// handler records each delivery, then passes it to h; a failure of h is
// counted and, after a short pause (the database may be restarting),
// returned so that Consume nacks the delivery and the broker redelivers it.
func (r *receipts) handler(h outbox.Handler) outbox.Handler {
	return func(ctx context.Context, m outbox.Message) error {
		r.record(m)
		err := h(ctx, m)
		r.mu.Lock()
		if err != nil {
			r.failures++
		} else if !r.ok[m.ID] {
			r.ok[m.ID] = true
			r.handled = append(r.handled, m)
		}
		r.mu.Unlock()
		if err != nil {
			time.Sleep(20 * time.Millisecond)
		}
		return err
	}
}

func (r *receipts) record(m outbox.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count[m.ID] == 0 {
		r.first = append(r.first, m)
		r.at[m.ID] = time.Now()
	}
	r.count[m.ID]++
}

// effect is the handler behind the inbox: its effect is a row per message
// in effectsTable, counting how often it ran for that message.
func effect(ctx context.Context, m outbox.Message) error {
	return txctx.DB(ctx).Exec("INSERT INTO "+effectsTable+" (id, n) VALUES (?, 1) ON CONFLICT (id) DO UPDATE SET n = "+
		effectsTable+".n + 1", m.ID).Error
}

// effects reads how often each message's effect happened, with plain SQL.
func effects(ctx context.Context, db *gorm.DB) (map[string]int, error) {
	var rows []struct {
		ID string
		N  int
	}
	if err := db.WithContext(ctx).Raw("SELECT id, n FROM " + effectsTable).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}
