package txctx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// twoDatabases opens two separate databases of kind (two in-memory SQLite
// databases, or two PostgreSQL schemas), each with the item table.
func twoDatabases(t *testing.T, kind testdb.Kind) (main, other *gorm.DB) {
	t.Helper()
	main, other = testdb.Open(t, kind), testdb.Open(t, kind)
	for _, db := range []*gorm.DB{main, other} {
		if err := db.AutoMigrate(&item{}); err != nil {
			t.Fatal(err)
		}
	}
	return main, other
}

// rawNames reads the names stored in db with plain SQL.
func rawNames(t testing.TB, db *gorm.DB) []string {
	t.Helper()
	var out []string
	if err := db.WithContext(context.Background()).Raw("SELECT name FROM items ORDER BY name").Scan(&out).Error; err != nil {
		t.Fatalf("read names: %v", err)
	}
	return out
}

func wantRaw(t testing.TB, label string, db *gorm.DB, want ...string) {
	t.Helper()
	got := rawNames(t, db)
	if len(got) != len(want) {
		t.Errorf("%s holds %q, want %q", label, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s holds %q, want %q", label, got, want)
			return
		}
	}
}

// Inside Run(..., On("x")) and RunNew(..., On("x")), DB(ctx) is the
// transaction just opened on x: the row lands in x's database and rolls
// back with it.
func TestDBIsTheTransactionOfOn(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			main, other := twoDatabases(t, kind)
			ctx := txctx.WithNamedDB(txctx.WithDB(context.Background(), main), "x", other)
			runners := map[string]func(context.Context, func(context.Context) error, ...txctx.Option) error{
				"Run": txctx.Run, "RunNew": txctx.RunNew,
			}
			for _, runner := range []string{"Run", "RunNew"} {
				run := runners[runner]
				if err := run(ctx, func(ctx context.Context) error {
					if !txctx.InTransaction(ctx) {
						t.Errorf("%s On(x): InTransaction = false", runner)
					}
					return insert(ctx, runner+" kept")
				}, txctx.On("x")); err != nil {
					t.Fatalf("%s: %v", runner, err)
				}
				err := run(ctx, func(ctx context.Context) error {
					if err := insert(ctx, runner+" dropped"); err != nil {
						return err
					}
					return errBoom
				}, txctx.On("x"))
				if !errors.Is(err, errBoom) {
					t.Fatalf("%s: err = %v, want errBoom", runner, err)
				}
			}
			wantRaw(t, "the default database", main)
			wantRaw(t, "database x", other, "Run kept", "RunNew kept")
		})
	}
}

// NamedDB(ctx, "default") is the default connection inside a Run on
// another one, and a Run without On inside Run(On("x")) is a savepoint of
// x's transaction.
func TestNamedDBAndNestedRunInsideOn(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			main, other := twoDatabases(t, kind)
			ctx := txctx.WithNamedDB(txctx.WithDB(context.Background(), main), "x", other)
			err := txctx.Run(ctx, func(ctx context.Context) error {
				if err := txctx.NamedDB(ctx, txctx.DefaultName).Create(&item{Name: "default"}).Error; err != nil {
					return err
				}
				return txctx.Run(ctx, func(ctx context.Context) error {
					if !txctx.InNamedTransaction(ctx, "x") {
						t.Error("nested Run: not in x's transaction")
					}
					return insert(ctx, "nested")
				})
			}, txctx.On("x"))
			if err != nil {
				t.Fatal(err)
			}
			wantRaw(t, "the default database", main, "default")
			wantRaw(t, "database x", other, "nested")
		})
	}
}

// "default" (database.DefaultName) and "" are one name: the pools of
// database.OpenAll bind in one call, and DB, Run and On(DefaultName) use
// the "default" pool.
func TestDefaultNameIsTheDefaultConnection(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			main, other := twoDatabases(t, kind)
			conns := map[string]*gorm.DB{database.DefaultName: main, "x": other}
			ctx := txctx.WithConnections(context.Background(), conns)
			if err := insert(ctx, "plain"); err != nil {
				t.Fatal(err)
			}
			for _, opts := range [][]txctx.Option{nil, {txctx.On(database.DefaultName)}, {txctx.On("")}} {
				if err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "run") }, opts...); err != nil {
					t.Fatal(err)
				}
			}
			if err := txctx.NamedDB(ctx, "").Create(&item{Name: "named"}).Error; err != nil {
				t.Fatal(err)
			}
			wantRaw(t, "the default database", main, "named", "plain", "run", "run", "run")
			wantRaw(t, "database x", other)
			if txctx.WithNamedDB(context.Background(), "", main) == nil {
				t.Fatal("unreachable")
			}
		})
	}
}

// MiddlewareConnections binds every connection; the handler's writes land
// where it sends them, and commit or roll back together with the request.
func TestMiddlewareConnections(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			main, other := twoDatabases(t, kind)
			conns := map[string]*gorm.DB{database.DefaultName: main, "x": other}
			h := txctx.MiddlewareConnections(conns)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := r.Context()
				name := r.URL.Query().Get("name")
				if err := insert(ctx, name); err != nil { // DB(ctx): the default connection
					t.Error(err)
				}
				err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, name+" on x") }, txctx.On("x"))
				if err != nil {
					t.Error(err)
				}
				if r.URL.Query().Get("fail") != "" {
					w.WriteHeader(http.StatusConflict)
				}
			}))
			for _, target := range []string{"/?name=kept", "/?name=dropped&fail=1"} {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", target, nil))
			}
			wantRaw(t, "the default database", main, "kept")
			wantRaw(t, "database x", other, "kept on x")
			wantPoolIdle(t, main)
			wantPoolIdle(t, other)
		})
	}
}

// The request's own connection commits last: when the commit of another
// connection fails, the main transaction rolls back and its AfterCommit
// callbacks are dropped, so a 500 never follows committed main work. Here
// "x" sorts after "default", so name order would commit the default first.
func TestMiddlewareConnectionsCommitTheMainOneLast(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			main, other := twoDatabases(t, kind)
			commitFailure(t, other)
			var committed atomic.Bool
			h := txctx.MiddlewareConnections(map[string]*gorm.DB{database.DefaultName: main, "x": other})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ctx := r.Context()
					if err := insert(ctx, "order"); err != nil {
						t.Error(err)
					}
					txctx.AfterCommit(ctx, func(context.Context) { committed.Store(true) })
					if err := txctx.NamedDB(ctx, "x").Exec("INSERT INTO deferred_child (parent_id) VALUES (1)").Error; err != nil {
						t.Error(err)
					}
				}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("status %d, want 500 for the failed commit on x", rec.Code)
			}
			if committed.Load() {
				t.Error("the main transaction's AfterCommit ran though the request failed")
			}
			wantRaw(t, "the default database", main)
			wantPoolIdle(t, main)
			wantPoolIdle(t, other)
		})
	}
}
