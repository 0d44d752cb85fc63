package txctx

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"
)

// WithNamedTestTx is WithNamedTx for a test transaction (package txtest is
// built on it): a first-level Run stands for a transaction and accepts the
// options of one (Durable; WithRetry runs it once; ReadOnly and
// WithIsolation leave the test transaction's mode as it is), and RunNew runs
// fn in a savepoint that stands for an independent transaction: its
// AfterCommit callbacks run when it returns, and nothing of it is committed
// for real.
//
// With begin set, RunNew's savepoint is opened in a second transaction
// that begin starts on a connection of its own (one per level of RunNew
// inside RunNew, begun on first use, kept open and ended by the caller):
// RunNew does not see the test's rows, its rows survive the rollback of the
// Run it was called in, and only later RunNews see them, as in production
// with a transaction isolation of read committed. RunNews of one level run
// one at a time.
//
// With begin nil (SQLite, which has one writer), RunNew's savepoint is
// opened in tx, where the test stands: it sees the test's rows and the
// test sees its rows. Its write statements are recorded as GORM sent them
// (Create, Update, Delete, Exec, and writes run as queries), and when an
// enclosing savepoint rolls back, those of every RunNew that returned nil
// inside it are executed again right after the ROLLBACK TO SAVEPOINT, in
// their order, so they survive it too; INSERTs whose integer key the
// database chose are replayed with the key each row got (not upserts or
// creates from maps). A replay that fails is joined to the enclosing Run's
// error as ErrTestReplay. The recording callbacks are registered on tx's
// callbacks by the first such binding, and do nothing for a statement whose
// context is not inside a test RunNew.
func WithNamedTestTx(ctx context.Context, name string, tx *gorm.DB, begin func() (*gorm.DB, error)) context.Context {
	ctx = WithNamedTx(ctx, name, tx)
	s := lookup(ctx, canonical(name))
	s.frame.tx.test = &testLevels{begin: begin}
	if begin == nil {
		registerReplay(tx)
	}
	return ctx
}

// testLevels holds the transactions of a test binding where RunNew runs:
// levels[i] serves RunNew called at depth i (0 being the test's own).
type testLevels struct {
	begin  func() (*gorm.DB, error)
	mu     sync.Mutex
	levels []*testLevel
}

type testLevel struct {
	t    *txn
	gate chan struct{} // one RunNew at a time on the level's transaction
}

// level returns the transaction of the given depth, begun on first use.
func (l *testLevels) level(depth int) (*testLevel, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.levels) < depth {
		tx, err := l.begin()
		if err != nil {
			return nil, fmt.Errorf("txctx: begin the test transaction of RunNew: %w", err)
		}
		registerLock(tx)
		t := externalTxn(tx)
		t.test, t.depth = l, len(l.levels)+1
		l.levels = append(l.levels, &testLevel{t: t, gate: make(chan struct{}, 1)})
	}
	return l.levels[depth-1], nil
}

// runNewInTest is RunNew under a test binding.
func runNewInTest(ctx context.Context, s *scope, fn func(context.Context) error, c *config) error {
	t := s.frame.tx
	if t.test.begin == nil {
		return runNewReplayed(ctx, s, fn, c)
	}
	lv, err := t.test.level(t.depth + 1)
	if err != nil {
		return err
	}
	select {
	case lv.gate <- struct{}{}:
	case <-ctx.Done():
		return contextEnded(ctx, nil)
	}
	defer func() { <-lv.gate }()
	return runNested(ctx, &scope{name: s.name, db: lv.t.conn, frame: &lv.t.root}, fn, c, true)
}

// standsForTransaction reports whether a savepoint opened under parent
// stands for a transaction of its own in a test: a first-level Run, or
// a RunNew.
func (t *txn) standsForTransaction(parent *frame, standalone bool) bool {
	return t.test != nil && (standalone || parent == &t.root)
}
