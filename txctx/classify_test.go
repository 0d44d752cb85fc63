package txctx_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// How a scope's context ends in the classification table.
type ending int

const (
	byTimeout  ending = iota // txctx.WithTimeout
	byDeadline               // a deadline on the caller's context
	byCancel                 // the caller cancels its context
)

func (e ending) String() string {
	return [...]string{"WithTimeout", "caller deadline", "caller cancel"}[e]
}

func (e ending) want() error {
	if e == byCancel {
		return context.Canceled
	}
	return context.DeadlineExceeded
}

// When it ends.
type moment int

const (
	duringStatement moment = iota
	betweenStatements
	duringCommit
	beforeBegin
)

func (m moment) String() string {
	return [...]string{"during a statement", "between statements", "during commit", "before BEGIN"}[m]
}

// Which scope it is.
type scopeKind int

const (
	outermost   scopeKind = iota // Run
	savepoint                    // Run inside Run
	independent                  // RunNew inside Run
)

func (k scopeKind) String() string { return [...]string{"Run", "nested Run", "RunNew"}[k] }

// classifyCase is one cell of the table.
type classifyCase struct {
	end   ending
	when  moment
	scope scopeKind
}

func (c classifyCase) name() string { return fmt.Sprintf("%v/%v/%v", c.scope, c.when, c.end) }

// skip says why a cell cannot happen, or "" when it can.
func (c classifyCase) skip(kind testdb.Kind) string {
	switch {
	case c.when == beforeBegin && c.end == byTimeout:
		return "WithTimeout starts its clock once Run has been called"
	case c.when == duringCommit && c.scope == savepoint:
		return "a savepoint's RELEASE goes out with the transaction's next statement, under the enclosing scope's context"
	case c.when == duringCommit && kind == testdb.SQLite:
		return "a SQLite COMMIT cannot be held open from outside"
	}
	return ""
}

// A scope whose context ends reports the context's error, never a failed
// rollback or commit, whether the cancellation closed the connection (a
// statement interrupted on PostgreSQL) or not; a COMMIT already sent is not
// interrupted. The transaction's work is never half kept, and every
// connection goes back to the pool.
func TestCancellationClassification(t *testing.T) {
	var cases []classifyCase
	for _, scope := range []scopeKind{outermost, savepoint, independent} {
		for _, when := range []moment{duringStatement, betweenStatements, duringCommit, beforeBegin} {
			for _, end := range []ending{byTimeout, byDeadline, byCancel} {
				cases = append(cases, classifyCase{end: end, when: when, scope: scope})
			}
		}
	}
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			db := testdb.Open(t, kind)
			base := bind(t, db)
			g := newGate(t, db, kind)
			for _, c := range cases {
				t.Run(c.name(), func(t *testing.T) {
					if why := c.skip(kind); why != "" {
						t.Skip(why)
					}
					resetItems(t, db)
					runClassifyCase(t, db, base, g, c)
				})
			}
		})
	}
}

func runClassifyCase(t *testing.T, db *gorm.DB, base context.Context, g *gate, c classifyCase) {
	called := false
	err := runScope(base, c, func(ctx context.Context, trigger func()) error {
		called = true
		return scopeBody(t, db, g, ctx, c, trigger)
	})
	wantPoolIdle(t, db)
	if c.when == duringCommit {
		// The COMMIT was sent before the context ended: it is not
		// interrupted, and its outcome is the outcome of Run.
		if err != nil {
			t.Fatalf("err = %v, want nil (a COMMIT already sent is not interrupted)", err)
		}
		if n := g.count(t); n != 1 {
			t.Fatalf("gated rows = %d, want 1 (committed)", n)
		}
		return
	}
	if !errors.Is(err, c.end.want()) {
		t.Fatalf("err = %v, want %v", err, c.end.want())
	}
	for _, not := range []error{txctx.ErrRollback, txctx.ErrCommit, txctx.ErrPoolExhausted} {
		if errors.Is(err, not) {
			t.Fatalf("err = %v, must not match %v", err, not)
		}
	}
	if c.when == beforeBegin && called {
		t.Fatal("fn was called after the context had ended")
	}
	wantNames(t, db) // nothing kept: not the scope's row, not the enclosing "outer"
}

// runScope runs body in the scope c asks for, with the context's end set up
// as c asks. body gets the scope's context and a trigger that makes that
// context end (cancel, or wait for the deadline).
func runScope(base context.Context, c classifyCase, body func(ctx context.Context, trigger func()) error) error {
	call := func(parent context.Context, run func(context.Context, func(context.Context) error, ...txctx.Option) error) error {
		ctx, cancel, opts := endingContext(parent, c)
		defer cancel()
		var trigger func()
		fn := func(ctx context.Context) error {
			trigger = func() { cancel(); <-ctx.Done() }
			return body(ctx, trigger)
		}
		return run(ctx, fn, opts...)
	}
	switch c.scope {
	case savepoint, independent:
		run := txctx.Run
		if c.scope == independent {
			run = txctx.RunNew
		}
		return txctx.Run(base, func(ctx context.Context) error {
			if c.scope == savepoint {
				if err := insert(ctx, "outer"); err != nil {
					return err
				}
			}
			return call(ctx, run) // the enclosing fn passes the error on
		})
	}
	return call(base, txctx.Run)
}

// endingContext derives the scope's context and options. For deadlines it
// leaves room for the statements that must run before it passes.
func endingContext(parent context.Context, c classifyCase) (context.Context, context.CancelFunc, []txctx.Option) {
	d := 300 * time.Millisecond
	if c.when == duringCommit {
		d = time.Second // the insert before the COMMIT must be done by then
	}
	switch {
	case c.when == beforeBegin && c.end == byDeadline:
		ctx, cancel := context.WithDeadline(parent, time.Now().Add(-time.Second))
		return ctx, cancel, nil
	case c.when == beforeBegin:
		ctx, cancel := context.WithCancel(parent)
		cancel()
		return ctx, cancel, nil
	case c.end == byTimeout:
		ctx, cancel := context.WithCancel(parent) // cancel unused: the timeout ends it
		return ctx, cancel, []txctx.Option{txctx.WithTimeout(d)}
	case c.end == byDeadline:
		ctx, cancel := context.WithTimeout(parent, d)
		return ctx, cancel, nil
	}
	ctx, cancel := context.WithCancel(parent)
	return ctx, cancel, nil
}

// scopeBody is fn of the scope under test.
func scopeBody(t *testing.T, db *gorm.DB, g *gate, ctx context.Context, c classifyCase, trigger func()) error {
	if c.when == duringCommit {
		return g.insert(t, ctx, c.end == byCancel, trigger)
	}
	if err := insert(ctx, "scope"); err != nil {
		return err
	}
	switch c.when {
	case duringStatement:
		var admin *sql.DB
		if g != nil {
			admin = g.admin
		}
		return blockingStatement(t, db, admin, ctx, c.end == byCancel, trigger)
	case betweenStatements:
		if c.end == byCancel {
			trigger()
		}
		<-ctx.Done()
		return insert(ctx, "after the end")
	}
	return nil
}

// blockingStatement runs a statement that only the end of ctx stops:
// pg_sleep on PostgreSQL, an endless recursive query on SQLite. With
// cancel, the context is cancelled once the statement runs (on SQLite,
// where that cannot be seen from outside, shortly after it is sent: a
// cancellation that comes first ends the statement as well).
func blockingStatement(t *testing.T, db *gorm.DB, admin *sql.DB, ctx context.Context, cancel bool, trigger func()) error {
	query := "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
	postgres := db.Dialector.Name() == "postgres"
	tag := randomTag()
	if postgres {
		query = "SELECT pg_sleep(60) /* " + tag + " */"
	}
	done := make(chan struct{})
	if cancel {
		go func() {
			defer close(done)
			if postgres {
				waitForActivity(t, admin, "state = 'active' AND query LIKE '%"+tag+"%' AND query NOT LIKE '%pg_stat_activity%'")
			} else {
				time.Sleep(50 * time.Millisecond)
			}
			trigger()
		}()
	} else {
		close(done)
	}
	err := txctx.DB(ctx).Exec(query).Error
	<-done
	return err
}

// gate holds a PostgreSQL COMMIT open: a deferred constraint trigger on
// table gated waits, at commit, for an advisory lock that the test holds.
type gate struct {
	db    *gorm.DB
	admin *sql.DB
	key   int64
}

func newGate(t *testing.T, db *gorm.DB, kind testdb.Kind) *gate {
	t.Helper()
	if kind != testdb.Postgres {
		return nil
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	g := &gate{db: db, admin: adminDB(t), key: int64(binary.LittleEndian.Uint64(b[:]) >> 1)}
	for _, stmt := range []string{
		"CREATE TABLE gated (id int)",
		fmt.Sprintf(`CREATE FUNCTION gated_wait() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN PERFORM pg_advisory_xact_lock_shared(%d); RETURN NULL; END $$`, g.key),
		`CREATE CONSTRAINT TRIGGER gated_commit AFTER INSERT ON gated
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gated_wait()`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return g
}

// insert writes a gated row, then lets fn return while the test holds the
// lock; once the COMMIT waits for it, the context is made to end, and the
// lock is released.
func (g *gate) insert(t *testing.T, ctx context.Context, cancel bool, trigger func()) error {
	if err := g.db.Exec("DELETE FROM gated").Error; err != nil {
		return err
	}
	if err := txctx.DB(ctx).Exec("INSERT INTO gated VALUES (1)").Error; err != nil {
		return err
	}
	conn, err := g.admin.Conn(context.Background())
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_lock($1)", g.key); err != nil {
		_ = conn.Close()
		return err
	}
	go func() {
		defer conn.Close()
		waitForActivity(t, g.admin, "wait_event = 'advisory' AND lower(query) = 'commit'")
		if cancel {
			trigger()
		}
		<-ctx.Done()
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", g.key)
	}()
	return nil
}

func (g *gate) count(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := g.db.Raw("SELECT count(*) FROM gated").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// adminDB is a PostgreSQL pool of the test's own, to watch the server.
func adminDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", testdb.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// waitForActivity waits (at most 10 s) until a backend matches cond in
// pg_stat_activity.
func waitForActivity(t *testing.T, admin *sql.DB, cond string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE " + cond).Scan(&n)
		if err != nil {
			t.Errorf("pg_stat_activity: %v", err)
			return
		}
		if n > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("no backend matched %s within 10 s", cond)
}

func resetItems(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := db.Exec("DELETE FROM items").Error; err != nil {
		t.Fatal(err)
	}
}

func randomTag() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("gx%x", b)
}

// A rollback that fails on a live connection is still ErrRollback, with or
// without a cancellation: here fn released its savepoint itself, so
// ROLLBACK TO SAVEPOINT finds none.
func TestRollbackFailureOnLiveConnection(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		base := bind(t, db)
		for _, cancelled := range []bool{false, true} {
			var inner error
			err := txctx.Run(base, func(ctx context.Context) error {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				inner = txctx.Run(ctx, func(ctx context.Context) error {
					if err := txctx.DB(ctx).Exec("RELEASE SAVEPOINT sp_1").Error; err != nil {
						return err
					}
					if cancelled {
						cancel()
						return ctx.Err()
					}
					return errBoom
				})
				return nil
			})
			if !errors.Is(inner, txctx.ErrRollback) {
				t.Errorf("cancelled=%v: savepoint err = %v, want ErrRollback", cancelled, inner)
			}
			if cancelled && !errors.Is(inner, context.Canceled) {
				t.Errorf("savepoint err = %v, want context.Canceled too", inner)
			}
			// The failed savepoint rollback dooms the transaction.
			if !errors.Is(err, txctx.ErrRollback) {
				t.Errorf("cancelled=%v: Run err = %v, want ErrRollback", cancelled, err)
			}
			wantPoolIdle(t, db)
		}
	})
}

// When a savepoint's cancellation closes the connection, the transaction is
// lost: the outermost Run says so with the context's error, even when fn
// swallowed the savepoint's error or went on and failed on the dead
// connection, and never with ErrRollback.
func TestSavepointCancellationLosesTheConnection(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("only pgx closes the connection of an interrupted statement")
	}
	db := testdb.Open(t, testdb.Postgres)
	base := bind(t, db)
	admin := adminDB(t)
	for _, goOn := range []bool{false, true} {
		err := txctx.Run(base, func(ctx context.Context) error {
			if err := insert(ctx, "outer"); err != nil {
				return err
			}
			inner, cancel := context.WithCancel(ctx)
			defer cancel()
			serr := txctx.Run(inner, func(ctx context.Context) error {
				return blockingStatement(t, db, admin, ctx, true, func() { cancel(); <-ctx.Done() })
			})
			if !errors.Is(serr, context.Canceled) || errors.Is(serr, txctx.ErrRollback) {
				t.Errorf("savepoint err = %v, want context.Canceled and no ErrRollback", serr)
			}
			if goOn {
				return insert(ctx, "after") // fails: the connection is gone
			}
			return nil // swallowed
		})
		if !errors.Is(err, context.Canceled) || errors.Is(err, txctx.ErrRollback) {
			t.Fatalf("goOn=%v: err = %v, want context.Canceled and no ErrRollback", goOn, err)
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	}
}

// ErrPoolExhausted reports the wait, not the internal cancellation that
// ended it: the caller's context was never cancelled.
func TestPoolExhaustedDoesNotBlameTheCaller(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.RunNew(ctx, func(ctx context.Context) error { return nil },
				txctx.WithPoolWait(50*time.Millisecond))
		})
		if !errors.Is(err, txctx.ErrPoolExhausted) {
			t.Fatalf("err = %v, want ErrPoolExhausted", err)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("err = %v: the caller's context was not cancelled", err)
		}
		wantPoolIdle(t, db)
	}, testdb.WithConfig(func(c *database.Config) {
		c.PoolSize, c.MaxOverflow = 1, -1
	}))
}
