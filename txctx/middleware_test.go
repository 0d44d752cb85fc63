package txctx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

func serve(h http.Handler, method, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/items", strings.NewReader(body)))
	return rec
}

func TestMiddlewareBeginsLazily(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		var before, after int
		h := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			before = inUse(t, db) // no BEGIN yet: no connection taken
			if !txctx.InTransaction(r.Context()) {
				t.Error("InTransaction = false in the handler")
			}
			if r.URL.Query().Get("db") != "" {
				_ = insert(r.Context(), "x")
				after = inUse(t, db)
			}
		}))
		settledInUse(t, db) // bind's own statements give their connections back
		serve(h, "GET", "")
		if before != 0 {
			t.Errorf("connections in use before the handler touched the database: %d", before)
		}
		settledInUse(t, db)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/?db=1", nil))
		if after != 1 {
			t.Errorf("connections in use after DB(ctx): %d, want 1 (the transaction)", after)
		}
		wantNames(t, db, "x")
		wantPoolIdle(t, db)
	})
}

func TestMiddlewareCommitsAndSendsTheHeldResponse(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		var committed bool
		h := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := insert(r.Context(), "created"); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			txctx.AfterCommit(r.Context(), func(context.Context) { committed = true })
			w.Header().Set("Location", "/items/1")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "ok")
			if committed {
				t.Error("AfterCommit ran before the commit")
			}
		}))
		rec := serve(h, "POST", "")
		if rec.Code != http.StatusCreated || rec.Body.String() != "ok" || rec.Header().Get("Location") != "/items/1" {
			t.Fatalf("response = %d %q %v", rec.Code, rec.Body, rec.Header())
		}
		if !committed {
			t.Error("AfterCommit did not run")
		}
		wantNames(t, db, "created")
	})
}

func TestMiddlewareRollsBackOnErrorStatus(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		handler := func(status int) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = insert(r.Context(), http.StatusText(status))
				_ = txctx.Run(r.Context(), func(ctx context.Context) error { return insert(ctx, "savepoint") })
				txctx.AfterCommit(r.Context(), func(context.Context) { t.Errorf("AfterCommit ran for status %d", status) })
				http.Error(w, "no", status)
			})
		}
		for _, status := range []int{400, 422, 500} {
			rec := serve(txctx.Middleware(db)(handler(status)), "POST", "")
			if rec.Code != status || !strings.Contains(rec.Body.String(), "no") {
				t.Errorf("status %d: response = %d %q; the handler's answer must stand", status, rec.Code, rec.Body)
			}
		}
		wantNames(t, db)
		// With the threshold at 500, a 404 commits.
		h := txctx.Middleware(db, txctx.RollbackStatus(500))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = insert(r.Context(), "kept")
			http.NotFound(w, r)
		}))
		if rec := serve(h, "POST", ""); rec.Code != 404 {
			t.Fatalf("status = %d", rec.Code)
		}
		wantNames(t, db, "kept")
		wantPoolIdle(t, db)
	})
}

func TestMiddlewareCommitFailureDropsTheBody(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		commitFailure(t, db)
		h := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = insert(r.Context(), "x")
			_ = violateAtCommit(r.Context()) // the commit will fail
			w.Header().Set("X-Secret", "1")
			_, _ = io.WriteString(w, "secret")
		}))
		rec := serve(h, "POST", "")
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret") || rec.Header().Get("X-Secret") != "" {
			t.Fatalf("response = %d %q %v, want a bare 500", rec.Code, rec.Body, rec.Header())
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	})
}

func TestMiddlewarePanicRollsBackAndRepanics(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		h := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = insert(r.Context(), "x")
			_, _ = io.WriteString(w, "partial")
			panic("handler")
		}))
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if r := recover(); r != "handler" {
					t.Errorf("recovered %v, want the handler's panic", r)
				}
			}()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
		}()
		if rec.Body.Len() != 0 {
			t.Errorf("held body was sent after a panic: %q", rec.Body)
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	})
}

// The request-level serialization failure answers 409, or retries the whole
// handler (with the same body) when RetryRequests is on.
func TestMiddlewareSerializationFailure(t *testing.T) {
	db := postgresOnly(t)
	bind(t, db)
	attempts := 0
	var bodies []string
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts++
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		_ = insert(r.Context(), "attempt")
		_ = txctx.Run(r.Context(), func(ctx context.Context) error {
			if attempts < 3 {
				return raiseSQLState(ctx, "40001")
			}
			return nil
		})
		_, _ = io.WriteString(w, "done")
	})
	rec := serve(txctx.Middleware(db)(handler), "POST", "payload")
	if rec.Code != http.StatusConflict || attempts != 1 {
		t.Fatalf("without retry: %d after %d attempts, want 409 after 1", rec.Code, attempts)
	}
	attempts, bodies = 0, nil
	mw := txctx.Middleware(db, txctx.RetryRequests(5), txctx.TxOptions(txctx.WithRetryBackoff(time.Millisecond, time.Millisecond)))
	rec = serve(mw(handler), "POST", "payload")
	if rec.Code != 200 || rec.Body.String() != "done" || attempts != 3 {
		t.Fatalf("with retry: %d %q after %d attempts", rec.Code, rec.Body, attempts)
	}
	for _, b := range bodies {
		if b != "payload" {
			t.Errorf("attempt read body %q, want the request's", b)
		}
	}
	wantNames(t, db, "attempt")
}

// Hostile bodies: larger than the retry limit (read once, whole, never
// retried), or failing mid-way (the handler sees the error).
func TestMiddlewareRetryBodies(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		var got []int
		var readErr error
		h := txctx.Middleware(db, txctx.RetryRequests(3), txctx.RetryBodyLimit(8))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			got, readErr = append(got, len(b)), err
		}))
		big := strings.Repeat("x", 1000)
		serve(h, "POST", big)
		if len(got) != 1 || got[0] != 1000 {
			t.Errorf("large body: handler read %v bytes", got)
		}
		got = nil
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader("abc"), errReaderT{}))
		h.ServeHTTP(rec, req)
		if !errors.Is(readErr, errBoom) || got[0] != 3 {
			t.Errorf("broken body: read %v bytes, err %v; want 3 and the read error", got, readErr)
		}
	})
}

type errReaderT struct{}

func (errReaderT) Read([]byte) (int, error) { return 0, errBoom }

// The request's transaction can be on a named connection; the default one
// is then left alone.
func TestMiddlewareOnNamedConnection(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		h := txctx.Middleware(db, txctx.TxOptions(txctx.On("main")))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if !txctx.InNamedTransaction(ctx, "main") || txctx.InNamedTransaction(ctx, txctx.DefaultName) {
				t.Error("the request's transaction is not (only) on the named connection")
			}
			_ = insert(ctx, "named") // DB(ctx): the request's transaction on "main"
			http.Error(w, "rejected", http.StatusConflict)
		}))
		if rec := serve(h, "POST", ""); rec.Code != http.StatusConflict {
			t.Fatalf("status = %d", rec.Code)
		}
		wantNames(t, db)
	})
}

// The callbacks of a request's transaction get the connection the
// middleware binds, without the transaction: after the commit they can
// write with DB(ctx) or RunNew, and after a rollback record the failure.
func TestMiddlewareCallbacksHaveTheConnection(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		bind(t, db)
		var inTx []bool
		h := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if err := insert(ctx, r.URL.Query().Get("name")); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			txctx.AfterCommit(ctx, func(ctx context.Context) {
				inTx = append(inTx, txctx.InTransaction(ctx))
				if err := insert(ctx, "committed event"); err != nil {
					t.Errorf("insert after commit: %v", err)
				}
			})
			txctx.AfterRollback(ctx, func(ctx context.Context) {
				inTx = append(inTx, txctx.InTransaction(ctx))
				if err := txctx.RunNew(ctx, func(ctx context.Context) error { return insert(ctx, "rollback audit") }); err != nil {
					t.Errorf("RunNew after rollback: %v", err)
				}
			})
			if r.URL.Query().Get("fail") != "" {
				w.WriteHeader(http.StatusConflict)
			}
		}))
		for _, target := range []string{"/?name=kept", "/?name=dropped&fail=1"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", target, nil))
		}
		if len(inTx) != 2 || inTx[0] || inTx[1] {
			t.Errorf("callbacks ran %d times, in a transaction: %v; want 2, never", len(inTx), inTx)
		}
		wantNames(t, db, "kept", "committed event", "rollback audit")
		wantPoolIdle(t, db)
	})
}
