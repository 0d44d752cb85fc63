package txctx_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// scopeRecorder is an Observer that records what it is told. Each Start gets an
// id, put in the context it returns; a record names the id of the
// observed scope its context was inside (parent), so the tests can check
// which context flowed where.
type scopeRecorder struct {
	mu     sync.Mutex
	next   int
	events []observed
}

type observed struct {
	start  bool
	id     int
	parent int // for a start: the id in ctx before Start
	scope  txctx.Scope
	result txctx.Result
}

type observedKey struct{}

func idIn(ctx context.Context) int {
	id, _ := ctx.Value(observedKey{}).(int)
	return id
}

func (r *scopeRecorder) Start(ctx context.Context, s txctx.Scope) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	r.events = append(r.events, observed{start: true, id: r.next, parent: idIn(ctx), scope: s})
	return context.WithValue(ctx, observedKey{}, r.next)
}

func (r *scopeRecorder) End(ctx context.Context, s txctx.Scope, res txctx.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, observed{id: idIn(ctx), scope: s, result: res})
}

// lines renders the events one per line: "start 1<-0 transaction default
// attempt=1" and "end 1 transaction commit", with the error and retry
// reason when set.
func (r *scopeRecorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.events))
	for _, e := range r.events {
		name := e.scope.Kind.String()
		if e.scope.Savepoint != "" {
			name += " " + e.scope.Savepoint
		}
		if e.start {
			out = append(out, fmt.Sprintf("start %d<-%d %s %s attempt=%d", e.id, e.parent, name, e.scope.Connection, e.scope.Attempt))
			continue
		}
		line := fmt.Sprintf("end %d %s %s", e.id, name, e.result.Outcome)
		if e.result.Err != nil {
			line += " err"
		}
		if e.result.RetryReason != "" {
			line += " retry=" + e.result.RetryReason
		}
		out = append(out, line)
	}
	return out
}

func (r *scopeRecorder) want(t *testing.T, want ...string) {
	t.Helper()
	got := r.lines()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("observed:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// observed binds db with a scopeRecorder as its observer, and records, for
// every row a statement writes, the observed scope its context was in.
func observe(t *testing.T, db *gorm.DB) (context.Context, *scopeRecorder, *statementScopes) {
	t.Helper()
	ctx := bind(t, db)
	rec := &scopeRecorder{}
	if err := txctx.Observe(db, rec); err != nil {
		t.Fatal(err)
	}
	seen := &statementScopes{byName: map[string]int{}}
	err := db.Callback().Create().After("gorm:create").Register("test:observed_scope", func(tx *gorm.DB) {
		if it, ok := tx.Statement.Dest.(*item); ok {
			seen.set(it.Name, idIn(tx.Statement.Context))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, rec, seen
}

// statementScopes maps the name of each inserted item to the id of the
// observed scope its INSERT ran in.
type statementScopes struct {
	mu     sync.Mutex
	byName map[string]int
}

func (s *statementScopes) set(name string, id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byName[name] = id
}

func (s *statementScopes) want(t *testing.T, name string, id int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if got, ok := s.byName[name]; !ok || got != id {
		t.Errorf("INSERT of %q ran in observed scope %d (recorded: %v), want %d", name, got, ok, id)
	}
}

var errOutOfStock = errors.New("out of stock")

func TestObserverSeesTransactionAndSavepoint(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, rec, seen := observe(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "kept"); err != nil {
				return err
			}
			err := txctx.Run(ctx, func(ctx context.Context) error {
				if err := insert(ctx, "undone"); err != nil {
					return err
				}
				return errOutOfStock
			})
			if !errors.Is(err, errOutOfStock) {
				return fmt.Errorf("savepoint: %v", err)
			}
			return txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "released") })
		})
		if err != nil {
			t.Fatal(err)
		}
		rec.want(t,
			"start 1<-0 transaction default attempt=1",
			"start 2<-1 savepoint sp_1 default attempt=1",
			"end 2 savepoint sp_1 rollback err",
			"start 3<-1 savepoint sp_2 default attempt=1",
			"end 3 savepoint sp_2 commit",
			"end 1 transaction commit",
		)
		seen.want(t, "kept", 1)
		seen.want(t, "undone", 2)
		seen.want(t, "released", 3)
		wantNames(t, db, "kept", "released")
		if got := rec.events[2].result.Err; !errors.Is(got, errOutOfStock) {
			t.Errorf("savepoint's Result.Err = %v, want fn's error", got)
		}
	})
}

func TestObserverSeesRollbackAndPanic(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, rec, _ := observe(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			_ = insert(ctx, "x")
			return errOutOfStock
		})
		if !errors.Is(err, errOutOfStock) {
			t.Fatalf("err = %v", err)
		}
		func() {
			defer func() { _ = recover() }()
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				return txctx.Run(ctx, func(ctx context.Context) error { panic("boom") })
			})
		}()
		rec.want(t,
			"start 1<-0 transaction default attempt=1",
			"end 1 transaction rollback err",
			"start 2<-0 transaction default attempt=1",
			"start 3<-2 savepoint sp_1 default attempt=1",
			"end 3 savepoint sp_1 rollback err",
			"end 2 transaction rollback err",
		)
		for _, i := range []int{4, 5} {
			if got := rec.events[i].result.Err; !errors.Is(got, txctx.ErrAborted) {
				t.Errorf("event %d: Result.Err = %v, want ErrAborted", i, got)
			}
		}
		wantNames(t, db)
	})
}

// TestObserverSeesRetries: every attempt is a transaction of its own, told
// why it is retried: the reason of WithRetryIf, and a deadlock (a
// PostgreSQL error value, retried whatever the database).
func TestObserverSeesRetries(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, rec, _ := observe(t, db)
		errFlaky := errors.New("flaky")
		failures := []error{errFlaky, &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}}
		attempt := 0
		err := txctx.Run(ctx, func(ctx context.Context) error {
			attempt++
			if err := insert(ctx, fmt.Sprint("attempt ", attempt)); err != nil {
				return err
			}
			if attempt <= len(failures) {
				return failures[attempt-1]
			}
			return nil
		}, txctx.WithRetry(5), txctx.WithRetryIf(func(err error) bool { return errors.Is(err, errFlaky) }),
			txctx.WithRetryBackoff(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		rec.want(t,
			"start 1<-0 transaction default attempt=1",
			"end 1 transaction rollback err retry=retry_if",
			"start 2<-0 transaction default attempt=2",
			"end 2 transaction rollback err retry=deadlock",
			"start 3<-0 transaction default attempt=3",
			"end 3 transaction commit",
		)
		wantNames(t, db, "attempt 3")
	})
}

// TestObserverLastAttemptHasNoRetryReason: when the attempts run out, the
// last one is not reported as retried.
func TestObserverLastAttemptHasNoRetryReason(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, rec, _ := observe(t, db)
		serialization := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
		err := txctx.Run(ctx, func(ctx context.Context) error { return serialization },
			txctx.WithRetry(2), txctx.WithRetryBackoff(1, 1))
		if !errors.Is(err, serialization) {
			t.Fatalf("err = %v", err)
		}
		rec.want(t,
			"start 1<-0 transaction default attempt=1",
			"end 1 transaction rollback err retry=serialization_failure",
			"start 2<-0 transaction default attempt=2",
			"end 2 transaction rollback err",
		)
	})
}

// TestObserverSeesFailedBegin: a BEGIN that fails (here on a cancelled
// context) ends the observed transaction as Failed.
func TestObserverSeesFailedBegin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx, rec, _ := observe(t, db)
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		err := txctx.Run(ctx, func(context.Context) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		rec.want(t, "start 1<-0 transaction default attempt=1", "end 1 transaction error err")
	})
}

// TestObserverScopeOptions: the connection's name, dialect and the
// transaction's options reach the observer, for the savepoints too.
func TestObserverScopeOptions(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		rec := &scopeRecorder{}
		if err := txctx.Observe(db, rec); err != nil {
			t.Fatal(err)
		}
		ctx := txctx.WithNamedDB(context.Background(), "reports", db)
		level := sql.LevelSerializable
		err := txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.Run(ctx, func(context.Context) error { return nil })
		}, txctx.On("reports"), txctx.ReadOnly(), txctx.WithIsolation(level))
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.events) != 4 {
			t.Fatalf("observed %q, want 4 events", rec.lines())
		}
		for _, e := range rec.events {
			s := e.scope
			if s.Connection != "reports" || s.Dialect != db.Dialector.Name() || !s.ReadOnly || s.Isolation != level || s.Request {
				t.Errorf("scope %+v, want connection reports, dialect %s, read-only, serializable", s, db.Dialector.Name())
			}
		}
	})
}

// TestObserverSeesMiddlewareRequest: the request's transaction is observed
// from its first use, from the request's context; the handler's context
// then carries the observer's values, so its statements and savepoints
// are inside the transaction. A request that never uses its transaction
// is not observed; one answered with an error status rolls back with no
// error.
func TestObserverSeesMiddlewareRequest(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		_, rec, seen := observe(t, db)
		var beforeUse, afterUse int
		h := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			switch r.URL.Path {
			case "/nothing":
				return
			case "/refuse":
				_ = insert(ctx, "refused")
				http.Error(w, "no", http.StatusUnprocessableEntity)
				return
			}
			beforeUse = idIn(ctx)
			if err := insert(ctx, "request"); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			afterUse = idIn(ctx)
			err := txctx.Run(ctx, func(ctx context.Context) error {
				_ = insert(ctx, "savepoint")
				return errOutOfStock
			})
			if !errors.Is(err, errOutOfStock) {
				http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
			}
		}))
		for _, path := range []string{"/nothing", "/work", "/refuse"} {
			rw := httptest.NewRecorder()
			h.ServeHTTP(rw, httptest.NewRequest(http.MethodPost, path, nil))
			if path == "/work" && rw.Code != http.StatusOK {
				t.Fatalf("%s: status %d: %s", path, rw.Code, rw.Body)
			}
		}
		rec.want(t,
			"start 1<-0 transaction default attempt=1",
			"start 2<-1 savepoint sp_1 default attempt=1",
			"end 2 savepoint sp_1 rollback err",
			"end 1 transaction commit",
			"start 3<-0 transaction default attempt=1",
			"end 3 transaction rollback",
		)
		if beforeUse != 0 || afterUse != 1 {
			t.Errorf("handler's context: observed scope %d before the first use, %d after; want 0 and 1", beforeUse, afterUse)
		}
		seen.want(t, "request", 1)
		seen.want(t, "savepoint", 2)
		seen.want(t, "refused", 3)
		if !rec.events[0].scope.Request || !rec.events[1].scope.Request {
			t.Errorf("scopes of the request: %+v, %+v, want Request set", rec.events[0].scope, rec.events[1].scope)
		}
		wantNames(t, db, "request")
	})
}

func TestObserveRefusesNilAndSecondObserver(t *testing.T) {
	db := testdb.Open(t, testdb.SQLite)
	if err := txctx.Observe(db, nil); err == nil {
		t.Error("Observe(db, nil): no error")
	}
	if err := txctx.Observe(db, &scopeRecorder{}); err != nil {
		t.Fatal(err)
	}
	if err := txctx.Observe(db, &scopeRecorder{}); !errors.Is(err, gorm.ErrRegistered) {
		t.Errorf("second Observe: err = %v, want gorm.ErrRegistered", err)
	}
}

// TestObserverSeesSavepointsUnderWithTx: under a transaction the caller
// began (WithTx, as txtest does), the Runs are savepoints, observed.
func TestObserverSeesSavepointsUnderWithTx(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		rec := &scopeRecorder{}
		if err := txctx.Observe(db, rec); err != nil {
			t.Fatal(err)
		}
		tx := db.Begin()
		if tx.Error != nil {
			t.Fatal(tx.Error)
		}
		defer tx.Rollback()
		ctx := txctx.WithTx(context.Background(), tx)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "inner") })
		})
		if err != nil {
			t.Fatal(err)
		}
		rec.want(t,
			"start 1<-0 savepoint sp_1 default attempt=1",
			"start 2<-1 savepoint sp_2 default attempt=1",
			"end 2 savepoint sp_2 commit",
			"end 1 savepoint sp_1 commit",
		)
	})
}
