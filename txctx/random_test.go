package txctx_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// EnvRandomTrees sets how many trees TestRandomTrees runs per database.
// Without it: 10,000 on SQLite and 5,000 on PostgreSQL, whose round trips
// make 10,000 trees take over a minute under -race on a 2-core machine.
const EnvRandomTrees = "TXCTX_RANDOM_TREES"

var defaultTrees = map[testdb.Kind]int{testdb.SQLite: 10000, testdb.Postgres: 5000}

// EnvRandomSeed replays TestRandomTrees with a given seed.
const EnvRandomSeed = "TXCTX_RANDOM_SEED"

type failure int

const (
	succeed failure = iota
	returnError
	doPanic
	cancelCtx
)

// node is one scope of a random tree: a Run (savepoint when nested) or a
// RunNew, which runs its children, writes its own row, registers an
// after-commit callback, then ends as its failure says.
type node struct {
	id     string
	isNew  bool
	fail   failure
	kids   []*node
	parent *node
}

// committed is the oracle: a scope's row survives when it succeeded and so
// did every enclosing scope up to its own transaction's outermost one.
func (n *node) committed() bool {
	if n.fail != succeed {
		return false
	}
	if n.isNew || n.parent == nil {
		return true
	}
	return n.parent.committed()
}

// generator builds trees. On SQLite, where a second writer waits for the
// first, a RunNew is only generated while none of the open transactions has
// written yet (the case the SQLite-specific tests cover is the other one).
type generator struct {
	rng    *rand.Rand
	sqlite bool
	next   int
}

func (g *generator) tree() *node {
	written := false
	return g.node(nil, false, 0, []*bool{&written})
}

func (g *generator) node(parent *node, isNew bool, depth int, open []*bool) *node {
	g.next++
	n := &node{id: strconv.Itoa(g.next), isNew: isNew, parent: parent}
	if g.rng.IntN(3) == 0 {
		n.fail = failure(1 + g.rng.IntN(3))
	}
	if depth < 3 {
		for range g.rng.IntN(3) {
			kidNew := g.rng.IntN(4) == 0 && (!g.sqlite || !anyWritten(open))
			kidOpen := open
			if kidNew {
				w := false
				kidOpen = append(append([]*bool(nil), open...), &w)
			}
			n.kids = append(n.kids, g.node(n, kidNew, depth+1, kidOpen))
		}
	}
	*open[len(open)-1] = true // the node writes its row after its children
	return n
}

func anyWritten(open []*bool) bool {
	for _, w := range open {
		if *w {
			return true
		}
	}
	return false
}

// runner executes trees and records what the callbacks saw.
type runner struct {
	calls map[string]int
}

func (r *runner) run(ctx context.Context, n *node) (err error) {
	defer func() {
		if p := recover(); p != nil && p != n {
			panic(p)
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fn := func(ctx context.Context) error {
		for _, k := range n.kids {
			_ = r.run(ctx, k)
		}
		if err := insert(ctx, n.id); err != nil {
			return err
		}
		txctx.AfterCommit(ctx, func(context.Context) { r.calls[n.id]++ })
		switch n.fail {
		case returnError:
			return errBoom
		case doPanic:
			panic(n)
		case cancelCtx:
			cancel()
		}
		return nil
	}
	if n.isNew {
		return txctx.RunNew(ctx, fn)
	}
	return txctx.Run(ctx, fn)
}

// TestRandomTrees runs random trees of nested Run and RunNew with errors,
// panics and cancellations, then checks that the rows are exactly those of
// the scopes that committed, that each of their after-commit callbacks ran
// once and no other did, and that no connection is left in use.
func TestRandomTrees(t *testing.T) {
	trees := 0
	if v := os.Getenv(EnvRandomTrees); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: want a count", EnvRandomTrees, v)
		}
		trees = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(EnvRandomSeed); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want a number", EnvRandomSeed, v)
		}
		seed = s
	}
	t.Logf("seed %d (replay with %s=%d)", seed, EnvRandomSeed, seed)
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		trees := trees
		if trees == 0 {
			trees = defaultTrees[testdb.Kind(db.Dialector.Name())]
		}
		t.Logf("%d trees", trees)
		g := &generator{rng: rand.New(rand.NewPCG(seed, seed>>1|1)), sqlite: db.Dialector.Name() == "sqlite"}
		r := &runner{calls: map[string]int{}}
		want := map[string]bool{}
		var all []*node
		for i := range trees {
			root := g.tree()
			_ = r.run(ctx, root)
			if n := inUse(t, db); n != 0 {
				t.Fatalf("tree %d: %d connections in use after it ended", i, n)
			}
			all = walk(all[:0], root)
			for _, n := range all {
				if n.committed() {
					want[n.id] = true
				}
			}
		}
		checkRandomOutcome(t, db, r, want, g.next)
	})
}

func walk(out []*node, n *node) []*node {
	out = append(out, n)
	for _, k := range n.kids {
		out = walk(out, k)
	}
	return out
}

func checkRandomOutcome(t *testing.T, db *gorm.DB, r *runner, want map[string]bool, scopes int) {
	t.Helper()
	got := map[string]bool{}
	for _, name := range names(t, db) {
		if got[name] {
			t.Errorf("row %s written twice", name)
		}
		got[name] = true
	}
	var errs []error
	for id := range got {
		if !want[id] {
			errs = append(errs, fmt.Errorf("row %s present, its scope did not commit", id))
		}
	}
	for id := range want {
		if !got[id] {
			errs = append(errs, fmt.Errorf("row %s missing, its scope committed", id))
		}
		if r.calls[id] != 1 {
			errs = append(errs, fmt.Errorf("after-commit of committed scope %s ran %d times", id, r.calls[id]))
		}
	}
	for id, n := range r.calls {
		if !want[id] {
			errs = append(errs, fmt.Errorf("after-commit of scope %s ran %d times, it did not commit", id, n))
		}
	}
	if len(errs) > 0 {
		t.Fatalf("%d scopes, %d committed: %v", scopes, len(want), errors.Join(errs[:min(len(errs), 20)]...))
	}
	t.Logf("%d scopes, %d committed: rows and callbacks match", scopes, len(want))
}
