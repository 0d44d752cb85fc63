package amqp_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// The tables of TestOutboxFaults besides the outbox and the inbox: a row
// per producing transaction, a commit counter per key, and a row per
// handled message.
const (
	workTable    = "fault_work"
	orderTable   = "fault_key_order"
	effectsTable = "fault_effects"
)

// faultKeys are the keys the producers write: few, so that transactions
// of the same key overlap and per-key order is exercised.
var faultKeys = []string{"a", "b", "c", "d", "e", "f"}

// Outcomes of a producing transaction, as its caller was told.
const (
	committed = iota // Run returned nil
	rejected         // Run failed before COMMIT
	inDoubt          // COMMIT sent, its answer lost (txctx.ErrCommit)
)

// sent is a message a producing transaction stored, with where it stands
// in its key's order: the rank of its transaction's commit among the
// key's, then its place in the transaction.
type sent struct {
	id, key string
	rank    int64
	place   int
}

// produced is one producing transaction: its messages (those of rolled-back
// savepoints apart), its outcome and when its caller heard of it.
type produced struct {
	id        string
	msgs      []sent
	savepoint []string // rolled back with their savepoint: never delivered
	outcome   int
	done      time.Time
}

// faultLedger is what the producers' callers were told.
type faultLedger struct {
	mu  sync.Mutex
	txs []produced
}

func (l *faultLedger) file(p produced) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.txs = append(l.txs, p)
}

// ranks is the per-transaction item of the commit counter: the key, and
// where its rank goes.
type ranks struct {
	key  string
	rank *int64
}

type ranksKey struct{}

// countCommits bumps each key's commit counter in the transaction, keys in
// sorted order, just before COMMIT and after the outbox's own statement
// (registered after the first Add, so flushed after it). The counter's row
// stays locked until COMMIT: the ranks of a key's committed transactions
// increase in the order of their commits, whatever the outbox does.
func countCommits(ctx context.Context, items []ranks) error {
	slices.SortFunc(items, func(a, b ranks) int { return cmp.Compare(a.key, b.key) })
	var last string
	var rank int64
	for _, it := range items {
		if it.key != last {
			if err := txctx.DB(ctx).Raw("UPDATE "+orderTable+" SET n = n + 1 WHERE key = ? RETURNING n", it.key).Scan(&rank).Error; err != nil {
				return err
			}
			last = it.key
		}
		*it.rank = rank
	}
	return nil
}

var errRollBackTx = errors.New("roll back on purpose")

// produce runs producing transactions until ctx ends: each writes a work
// row and one to three messages over faultKeys; one in four also adds a
// message in a savepoint that rolls back, one in six rolls back whole.
func produce(ctx context.Context, store *outbox.Store, topic string, l *faultLedger, worker int) {
	for i := 0; ctx.Err() == nil; i++ {
		p := produceOne(ctx, store, topic, fmt.Sprintf("w%02d-%06d", worker, i))
		l.file(p)
		time.Sleep(time.Duration(50+rand.IntN(100)) * time.Millisecond) // below what the relays and the consumer keep up with
	}
}

func produceOne(ctx context.Context, store *outbox.Store, topic, txID string) produced {
	p := produced{id: txID}
	var msgs []sent
	var rankOf []*int64
	err := txctx.Run(ctx, func(ctx context.Context) error {
		msgs, rankOf, p.savepoint = nil, nil, nil
		if err := txctx.DB(ctx).Exec("INSERT INTO "+workTable+" (id) VALUES (?)", txID).Error; err != nil {
			return err
		}
		for j := range 1 + rand.IntN(3) {
			m := sent{id: fmt.Sprintf("%s-%d", txID, j), key: faultKeys[rand.IntN(len(faultKeys))], place: j}
			if err := store.Add(ctx, outbox.Message{ID: m.id, Topic: topic, Key: m.key, Payload: []byte(m.id)}); err != nil {
				return err
			}
			r := new(int64)
			if err := txctx.BeforeCommit(ctx, ranksKey{}, ranks{key: m.key, rank: r}, countCommits); err != nil {
				return err
			}
			msgs, rankOf = append(msgs, m), append(rankOf, r)
		}
		if rand.IntN(4) == 0 {
			sp := txID + "-sp"
			p.savepoint = append(p.savepoint, sp)
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				if err := store.Add(ctx, outbox.Message{ID: sp, Topic: topic, Key: msgs[0].key}); err != nil {
					return err
				}
				return errRollBackTx
			})
		}
		if rand.IntN(6) == 0 {
			return errRollBackTx
		}
		return nil
	}, txctx.WithTimeout(5*time.Second))
	p.done = time.Now()
	for i := range msgs {
		msgs[i].rank = *rankOf[i]
	}
	p.msgs = msgs
	switch {
	case err == nil:
		p.outcome = committed
	case errors.Is(err, txctx.ErrCommit):
		p.outcome = inDoubt
	default:
		p.outcome = rejected
	}
	return p
}
