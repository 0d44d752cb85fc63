package txctx_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

// gcCases are the behaviours of txctx that TestGORMConfigurations runs
// under every configuration. Each row of the table "txctx under GORM
// configurations" in docs/transactions.md names the case that backs it.
var gcCases = []gcCase{
	{name: "Run commits", body: gcRunCommits},
	{name: "Run rolls back on error", body: gcRunRollsBackOnError},
	{name: "Run rolls back on panic", body: gcRunRollsBackOnPanic},
	{name: "nested Run released", body: gcNestedReleased},
	{name: "nested Run rolled back", body: gcNestedRolledBack},
	{name: "nested Run after a failed statement", wet: true, body: gcNestedFailedStatement},
	{name: "batch Create in Run", body: gcBatchCreate},
	{name: "batch Create rolled back with Run", body: gcBatchCreateRolledBack},
	{name: "RunNew commits", body: gcRunNewCommits},
	{name: "RunNew survives the outer rollback", body: gcRunNewSurvives},
	{name: "DB outside Run", gormTx: true, body: gcDBOutside},
	{name: "DB inside Run", body: gcDBInside},
	{name: "manual Commit refused", body: gcManualCommitRefused},
	{name: "WithRetry on a serialization failure", only: testdb.Postgres, wet: true, body: gcRetrySerialization},
	{name: "Middleware", body: gcMiddleware},
	{name: "txtest.Context", gormTx: true, body: gcTxtest},
}

// events records the callbacks that ran.
type events struct{ got []string }

func (ev *events) on(ctx context.Context, name string) {
	txctx.AfterCommit(ctx, func(context.Context) { ev.got = append(ev.got, name+" committed") })
	txctx.AfterRollback(ctx, func(context.Context) { ev.got = append(ev.got, name+" rolled back") })
}

func (ev *events) want(t *testing.T, want ...string) {
	t.Helper()
	got := slices.Sorted(slices.Values(ev.got))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("callbacks ran: %q, want %q", got, want)
	}
}

func gcRunCommits(e *gcEnv, ctx context.Context, label string) {
	var ev events
	var o *gcOrder
	err := txctx.Run(ctx, func(ctx context.Context) error {
		ev.on(ctx, "run")
		var err error
		if o, err = create(ctx, label+"a"); err != nil {
			return err
		}
		wantCreated(e.t, o)
		if e.dry {
			if n := e.settledInUse(); n != 0 {
				e.t.Errorf("DryRun: the transaction holds %d connections, want 0", n)
			}
			// Statements are built, as GORM's DryRun promises.
			if q := txctx.DB(ctx).Create(&gcOrder{Name: label + "z"}).Statement.SQL.String(); !strings.Contains(q, "INSERT") {
				e.t.Errorf("DryRun inside Run built %q, want an INSERT", q)
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	ev.want(e.t, "run committed")
	e.wantStored(label, o)
}

func gcRunRollsBackOnError(e *gcEnv, ctx context.Context, label string) {
	var ev events
	err := txctx.Run(ctx, func(ctx context.Context) error {
		ev.on(ctx, "run")
		if _, err := create(ctx, label+"a"); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		e.t.Fatalf("err = %v, want errBoom", err)
	}
	ev.want(e.t, "run rolled back")
	e.wantStored(label)
}

func gcRunRollsBackOnPanic(e *gcEnv, ctx context.Context, label string) {
	var ev events
	func() {
		defer func() {
			if r := recover(); r != errBoom {
				e.t.Errorf("recovered %v, want errBoom", r)
			}
		}()
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			ev.on(ctx, "run")
			if _, err := create(ctx, label+"a"); err != nil {
				return err
			}
			panic(errBoom)
		})
	}()
	ev.want(e.t, "run rolled back")
	e.wantStored(label)
}

func gcNestedReleased(e *gcEnv, ctx context.Context, label string) {
	var ev events
	var a, b, c *gcOrder
	err := txctx.Run(ctx, func(ctx context.Context) error {
		ev.on(ctx, "outer")
		var err error
		if a, err = create(ctx, label+"a"); err != nil {
			return err
		}
		err = txctx.Run(ctx, func(ctx context.Context) error {
			ev.on(ctx, "inner")
			b, err = create(ctx, label+"b")
			return err
		})
		if err != nil {
			return err
		}
		c, err = create(ctx, label+"c") // after the RELEASE SAVEPOINT
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	ev.want(e.t, "outer committed", "inner committed")
	e.wantStored(label, a, b, c)
}

func gcNestedRolledBack(e *gcEnv, ctx context.Context, label string) {
	var ev events
	var a, c *gcOrder
	err := txctx.Run(ctx, func(ctx context.Context) error {
		ev.on(ctx, "outer")
		var err error
		if a, err = create(ctx, label+"a"); err != nil {
			return err
		}
		err = txctx.Run(ctx, func(ctx context.Context) error {
			ev.on(ctx, "inner")
			if _, err := create(ctx, label+"b"); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			e.t.Errorf("nested Run: err = %v, want errBoom", err)
		}
		c, err = create(ctx, label+"c") // the transaction goes on
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	ev.want(e.t, "outer committed", "inner rolled back")
	e.wantStored(label, a, c)
}

// gcNestedFailedStatement: a statement fails in a savepoint (a duplicate
// key: on PostgreSQL it aborts the transaction until ROLLBACK TO
// SAVEPOINT); the outer transaction goes on and commits.
func gcNestedFailedStatement(e *gcEnv, ctx context.Context, label string) {
	var a, c *gcOrder
	err := txctx.Run(ctx, func(ctx context.Context) error {
		var err error
		if a, err = create(ctx, label+"a"); err != nil {
			return err
		}
		err = txctx.Run(ctx, func(ctx context.Context) error {
			dup := &gcOrder{Name: label + "b"}
			dup.ID = a.ID
			return txctx.DB(ctx).Create(dup).Error
		})
		if err == nil {
			e.t.Error("a duplicate key was accepted")
		}
		if e.translates() && !errors.Is(err, gorm.ErrDuplicatedKey) {
			e.t.Errorf("err = %v, want gorm.ErrDuplicatedKey (TranslateError)", err)
		}
		c, err = create(ctx, label+"c")
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wantStored(label, a, c)
}

// batch is three orders: more than CreateBatchSize, so GORM creates them in
// batches inside a transaction of its own (a savepoint inside Run).
func batch(label string) []*gcOrder {
	return []*gcOrder{{Name: label + "a"}, {Name: label + "b"}, {Name: label + "c"}}
}

func gcBatchCreate(e *gcEnv, ctx context.Context, label string) {
	rows := batch(label)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := txctx.DB(ctx).Create(rows).Error; err != nil {
			return err
		}
		_, err := create(ctx, label+"d") // after GORM's savepoint
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if rows[0].ID == rows[1].ID || rows[1].ID == rows[2].ID {
		e.t.Errorf("rows created with the same ID")
	}
	stored := e.stored(label)
	if want := 4; !e.dry && len(stored) != want {
		e.t.Fatalf("stored %d rows, want %d", len(stored), want)
	}
	e.wantStored(label+"a", rows[0])
	e.wantStored(label+"c", rows[2])
}

func gcBatchCreateRolledBack(e *gcEnv, ctx context.Context, label string) {
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := txctx.DB(ctx).Create(batch(label)).Error; err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		e.t.Fatalf("err = %v, want errBoom", err)
	}
	e.wantStored(label)
}

func gcRunNewCommits(e *gcEnv, ctx context.Context, label string) {
	var ev events
	var o *gcOrder
	err := txctx.RunNew(ctx, func(ctx context.Context) error {
		ev.on(ctx, "new")
		if !txctx.InTransaction(ctx) {
			e.t.Error("not in a transaction inside RunNew")
		}
		var err error
		o, err = create(ctx, label+"a")
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	ev.want(e.t, "new committed")
	e.wantStored(label, o)
}

// gcRunNewSurvives: RunNew inside a Run that then rolls back. On
// PostgreSQL it writes after the outer transaction did; on SQLite it must
// come before the outer's first statement (see the traps of
// docs/transactions.md).
func gcRunNewSurvives(e *gcEnv, ctx context.Context, label string) {
	var ev events
	var b *gcOrder
	runNew := func(ctx context.Context) error {
		return txctx.RunNew(ctx, func(ctx context.Context) error {
			ev.on(ctx, "new")
			var err error
			b, err = create(ctx, label+"b")
			return err
		})
	}
	err := txctx.Run(ctx, func(ctx context.Context) error {
		ev.on(ctx, "outer")
		if e.kind == testdb.SQLite {
			if err := runNew(ctx); err != nil {
				return err
			}
		}
		if _, err := create(ctx, label+"a"); err != nil {
			return err
		}
		if e.kind == testdb.Postgres {
			if err := runNew(ctx); err != nil {
				return err
			}
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		e.t.Fatalf("err = %v, want errBoom", err)
	}
	ev.want(e.t, "new committed", "outer rolled back")
	e.wantStored(label, b)
}

func gcDBOutside(e *gcEnv, ctx context.Context, label string) {
	if txctx.InTransaction(ctx) {
		e.t.Error("InTransaction outside Run")
	}
	o, err := create(ctx, label+"a")
	if err != nil {
		e.t.Fatal(err)
	}
	wantCreated(e.t, o)
	e.wantStored(label, o) // at once: no transaction to wait for
}

func gcDBInside(e *gcEnv, ctx context.Context, label string) {
	var o *gcOrder
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if !txctx.InTransaction(ctx) {
			e.t.Error("not InTransaction inside Run")
		}
		var err error
		if o, err = create(ctx, label+"a"); err != nil {
			return err
		}
		var n int64
		if err := txctx.DB(ctx).Model(&gcOrder{}).Where("name = ?", o.Name).Count(&n).Error; err != nil {
			return err
		}
		if !e.dry && n != 1 {
			e.t.Errorf("the transaction sees %d rows it wrote, want 1", n)
		}
		if e.kind == testdb.Postgres {
			// Outside the transaction, nothing yet (SQLite's in-memory
			// locks would make this read wait for the commit).
			if got := e.stored(label); len(got) != 0 {
				e.t.Errorf("the root pool sees %d uncommitted rows", len(got))
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wantStored(label, o)
}

func gcManualCommitRefused(e *gcEnv, ctx context.Context, label string) {
	var a, b *gcOrder
	err := txctx.Run(ctx, func(ctx context.Context) error {
		var err error
		if a, err = create(ctx, label+"a"); err != nil {
			return err
		}
		if err := txctx.DB(ctx).Commit().Error; !errors.Is(err, txctx.ErrManualTxControl) {
			e.t.Errorf("Commit inside Run: %v, want ErrManualTxControl", err)
		}
		if err := txctx.DB(ctx).Rollback().Error; !errors.Is(err, txctx.ErrManualTxControl) {
			e.t.Errorf("Rollback inside Run: %v, want ErrManualTxControl", err)
		}
		b, err = create(ctx, label+"b") // the transaction goes on
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wantStored(label, a, b)
}

// gcRetrySerialization provokes a real serialization failure: the outer
// transaction (repeatable read) reads a row, a RunNew updates and commits
// it, and the outer's update of the same row then fails with SQLSTATE
// 40001. WithRetry runs the whole fn again, which then succeeds.
func gcRetrySerialization(e *gcEnv, ctx context.Context, label string) {
	o, err := create(ctx, label+"a")
	if err != nil {
		e.t.Fatal(err)
	}
	bump := func(ctx context.Context) error {
		return txctx.DB(ctx).Model(&gcOrder{}).Where("id = ?", o.ID).Update("qty", gorm.Expr("qty + 1")).Error
	}
	attempts := 0
	err = txctx.Run(ctx, func(ctx context.Context) error {
		attempts++
		var cur gcOrder
		if err := txctx.DB(ctx).First(&cur, "id = ?", o.ID).Error; err != nil {
			return err
		}
		if attempts == 1 {
			if err := txctx.RunNew(ctx, bump); err != nil {
				return err
			}
		}
		return bump(ctx)
	}, txctx.WithIsolation(sql.LevelRepeatableRead), txctx.WithRetry(3), txctx.WithRetryBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		e.t.Fatal(err)
	}
	if attempts != 2 {
		e.t.Errorf("attempts = %d, want 2", attempts)
	}
	if got := e.stored(label)[o.Name].Qty; got != 2 {
		e.t.Errorf("qty = %d, want 2 (the RunNew's and the retried attempt's)", got)
	}
}

func gcMiddleware(e *gcEnv, ctx context.Context, label string) {
	var ev events
	created := map[string]*gcOrder{}
	h := txctx.Middleware(e.db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.URL.Path == "/none" {
			w.WriteHeader(http.StatusOK)
			return
		}
		if n := e.settledInUse(); n != 0 {
			e.t.Errorf("%s: %d connections in use before the handler used the transaction, want 0 (lazy BEGIN)", r.URL.Path, n)
		}
		ev.on(ctx, r.URL.Path)
		o, err := create(ctx, label+r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		created[r.URL.Path] = o
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	for path, code := range map[string]int{"/none": http.StatusOK, "/ok": http.StatusCreated, "/fail": http.StatusUnprocessableEntity} {
		mark := e.mark()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodPost, path, nil))
		if rec.Code != code {
			e.t.Errorf("%s: status %d, want %d (%s)", path, rec.Code, code, rec.Body)
		}
		if path == "/none" && e.wire != nil {
			if sent := e.wire.Since(mark); len(sent) != 0 {
				e.t.Errorf("a request that never used the database sent %q", sent)
			}
		}
	}
	ev.want(e.t, "/ok committed", "/fail rolled back")
	e.wantStored(label, created["/ok"])
}

func gcTxtest(e *gcEnv, _ context.Context, label string) {
	var ev events
	e.t.Run("test", func(t *testing.T) {
		ctx := txtest.Context(t, e.db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			ev.on(ctx, "run")
			_, err := create(ctx, label+"a")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ev.want(t, "run committed") // a first-level Run stands for a transaction
		var n int64
		if err := txctx.DB(ctx).Model(&gcOrder{}).Where("name LIKE ?", label+"%").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if !e.dry && n != 1 {
			t.Errorf("the test sees %d rows, want 1", n)
		}
	})
	e.wantStored(label) // rolled back with the test
}
