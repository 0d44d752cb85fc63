package txctx

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/atcommit"
)

// ErrNoTransaction is returned by BeforeCommit when ctx is outside any
// transaction: there is no commit to run before.
var ErrNoTransaction = errors.New("txctx: not inside a transaction")

// BeforeCommit registers item under key, for flush to write inside the
// transaction of ctx just before it commits: once the function given to
// the outermost Run (or the Middleware request) has returned nil, and
// before COMMIT, flush is called once per key, in the order the keys were
// first registered, with every item registered under key in this
// transaction, in registration order. It is how work is buffered and
// written in one statement at the end of a transaction (package outbox
// does so with its messages).
//
// Items registered in a savepoint that rolls back are dropped with it; an
// attempt that is retried drops its items. When flush returns an error the
// transaction rolls back and Run returns that error (a serialization
// failure in flush is retried as one in fn). flush gets a context whose
// DB is the transaction; it may register more items, flushed in turn.
// Before a real COMMIT, a statement flush runs whose text starts with
// database.AtCommit may travel with the COMMIT instead of on its own (a
// pool of database.Open on PostgreSQL): its failure is then Run's, as a
// failed commit (ErrCommit), with the transaction rolled back.
//
// Where a savepoint stands for a transaction (a first-level Run under
// WithTx, as in package txtest), its items are flushed just before it is
// released. Directly under WithTx, outside any Run, the caller ends the
// transaction: flush runs at once, with item alone. Outside a transaction
// BeforeCommit returns ErrNoTransaction, and after the scope of ctx has
// ended, ErrConcurrentUse; nothing is registered then.
//
// The transaction is the innermost one of ctx, whatever its connection, as
// for AfterCommit. Unused, BeforeCommit costs nothing.
func BeforeCommit[T any](ctx context.Context, key any, item T, flush func(ctx context.Context, items []T) error) error {
	s := innermost(ctx)
	if s == nil || s.frame == nil {
		return ErrNoTransaction
	}
	p := pending{key: key, item: item, flush: flushOf(flush), name: s.name, db: s.db}
	t := s.frame.tx
	if t.external && s.frame == &t.root {
		return p.flush(ctx, []any{item})
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.isOpen(s.frame) {
		return concurrentErr(s.frame)
	}
	if err := t.beginLazyLocked(ctx); err != nil { // a Middleware request's begins: it now has work to commit
		return err
	}
	s.frame.pending = append(s.frame.pending, p)
	return nil
}

// pending is one item registered with BeforeCommit, with the scope it was
// registered in (the connection its flush runs on).
type pending struct {
	key   any
	item  any
	flush func(ctx context.Context, items []any) error
	name  string
	db    *gorm.DB
}

// flushOf adapts a typed flush to the items frames hold.
func flushOf[T any](flush func(context.Context, []T) error) func(context.Context, []any) error {
	return func(ctx context.Context, items []any) error {
		typed := make([]T, len(items))
		for i, it := range items {
			typed[i] = it.(T)
		}
		return flush(ctx, typed)
	}
}

// beforeCommit flushes the items of frame f (the root, or a savepoint that
// stands for a transaction), including those registered while flushing.
func (t *txn) beforeCommit(ctx context.Context, f *frame) error {
	for {
		t.mu.Lock()
		items := f.pending
		f.pending = nil
		t.mu.Unlock()
		if len(items) == 0 {
			return nil
		}
		if err := flushPending(ctx, f, items); err != nil {
			return err
		}
	}
}

// flushPending calls each key's flush once, keys in order of first
// registration. Before a real COMMIT (not a savepoint's release), the
// flushes' context says so (atcommit.CommitNext): a statement they mark
// may then travel with the COMMIT (see package database).
func flushPending(ctx context.Context, f *frame, items []pending) error {
	if f == &f.tx.root && !f.tx.external {
		ctx = atcommit.CommitNext(ctx)
	}
	done := make([]bool, len(items))
	for i, p := range items {
		if done[i] {
			continue
		}
		var batch []any
		for j := i; j < len(items); j++ {
			if !done[j] && items[j].key == p.key {
				batch, done[j] = append(batch, items[j].item), true
			}
		}
		fctx := push(ctx, p.name, p.db, f, true)
		if err := p.flush(fctx, batch); err != nil {
			f.tx.noteFailure(err)
			return fmt.Errorf("txctx: before commit: %w", err)
		}
	}
	return nil
}
