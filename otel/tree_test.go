package gormextotel_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	gormextotel "github.com/gormext/gormext/otel"
	"github.com/gormext/gormext/txctx"
)

// secret is the value the tests insert: it must appear in no span.
const secret = "alice.secret@example.com"

type otelUser struct {
	ID    int64
	Email string `gorm:"uniqueIndex"`
}

// traced instruments db with an in-memory exporter and returns it with a
// tracer of the same provider, for the spans the test makes itself.
func traced(t *testing.T, db *gorm.DB) (*tracetest.InMemoryExporter, trace.Tracer) {
	t.Helper()
	if err := db.AutoMigrate(&otelUser{}); err != nil {
		t.Fatal(err)
	}
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	if err := gormextotel.Instrument(db, gormextotel.WithTracerProvider(tp), gormextotel.WithoutMetrics()); err != nil {
		t.Fatal(err)
	}
	return exp, tp.Tracer("test")
}

// TestRequestSpanTree: a request through txctx.Middleware whose handler
// inserts a user, then runs a savepoint whose insert of the same e-mail
// fails (unique violation) and rolls back, then answers 201: the request
// commits. The spans form the tree
//
//	POST /users
//	└── db.transaction (commit)
//	    ├── INSERT otel_users
//	    └── db.savepoint sp_1 (rollback, error)
//	        └── INSERT otel_users (error)
//
// and the e-mail appears nowhere in them.
func TestRequestSpanTree(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, db *gorm.DB) {
		exp, tracer := traced(t, db)
		handler := txctx.Middleware(db)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if err := txctx.DB(ctx).Create(&otelUser{Email: secret}).Error; err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			err := txctx.Run(ctx, func(ctx context.Context) error {
				return txctx.DB(ctx).Create(&otelUser{Email: secret}).Error
			})
			if !errors.Is(err, gorm.ErrDuplicatedKey) {
				http.Error(w, fmt.Sprint("savepoint: ", err), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusCreated)
		}))
		server := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, span := tracer.Start(r.Context(), "POST /users", trace.WithSpanKind(trace.SpanKindServer))
			defer span.End()
			handler.ServeHTTP(w, r.WithContext(ctx))
		})
		rw := httptest.NewRecorder()
		server.ServeHTTP(rw, httptest.NewRequest(http.MethodPost, "/users", nil))
		if rw.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rw.Code, rw.Body)
		}

		spans := exp.GetSpans()
		tree := newTree(spans)
		tree.want(t, strings.Join([]string{
			"POST /users",
			"  db.transaction",
			"    INSERT otel_users",
			"    db.savepoint",
			"      INSERT otel_users",
		}, "\n"))
		system := map[string]string{"sqlite": "sqlite", "postgres": "postgresql"}[db.Dialector.Name()]

		txSpan := tree.only(t, "db.transaction")
		wantAttrs(t, txSpan, map[string]string{
			"db.system.name": system, "gormext.db.connection": "default", "gormext.tx.attempt": "1",
			"gormext.tx.request": "true", "gormext.tx.outcome": "commit",
		})
		wantStatus(t, txSpan, codes.Unset)

		sp := tree.only(t, "db.savepoint")
		wantAttrs(t, sp, map[string]string{
			"db.system.name": system, "gormext.tx.savepoint": "sp_1", "gormext.tx.outcome": "rollback",
		})
		wantStatus(t, sp, codes.Error)

		inserts := tree.named("INSERT otel_users")
		for i, s := range inserts {
			wantAttrs(t, s, map[string]string{
				"db.system.name": system, "db.operation.name": "INSERT", "db.collection.name": "otel_users",
				"db.query.summary": "INSERT otel_users",
			})
			if s.SpanKind != trace.SpanKindClient {
				t.Errorf("statement span kind %v, want client", s.SpanKind)
			}
			text := attr(s, "db.query.text")
			if !strings.HasPrefix(text, "INSERT INTO") || !strings.ContainsAny(text, "?$") {
				t.Errorf("db.query.text = %q, want the INSERT with its placeholders", text)
			}
			want := codes.Unset
			if i == 1 {
				want = codes.Error
			}
			wantStatus(t, s, want)
		}
		if db.Dialector.Name() == "postgres" {
			wantAttrs(t, inserts[1], map[string]string{"error.type": "23505", "db.response.status_code": "23505"})
		}
		wantNoValue(t, spans, secret)
	})
}

// TestRunSpanTree: txctx.Run outside a request is a transaction whose
// statements and savepoints are its children; on PostgreSQL a statement
// whose error message quotes the value (a data exception) reaches neither
// the statement's span nor the transaction's with it.
func TestRunSpanTree(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, db *gorm.DB) {
		exp, tracer := traced(t, db)
		ctx, root := tracer.Start(txctx.WithDB(context.Background(), db), "job")
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := txctx.DB(ctx).Create(&otelUser{Email: secret}).Error; err != nil {
				return err
			}
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				var n int
				if err := txctx.DB(ctx).Raw("SELECT count(*) FROM otel_users WHERE email = ?", secret).Scan(&n).Error; err != nil {
					return err
				}
				if db.Dialector.Name() == "postgres" {
					return txctx.DB(ctx).Raw("SELECT ?::int", secret).Scan(&n).Error
				}
				return errors.New("refused")
			})
			return errors.New("give up")
		})
		root.End()
		if err == nil || err.Error() != "give up" {
			t.Fatalf("Run: %v, want fn's error", err)
		}
		spans := exp.GetSpans()
		tree := newTree(spans)
		want := []string{
			"job",
			"  db.transaction",
			"    INSERT otel_users",
			"    db.savepoint",
			"      SELECT",
		}
		if db.Dialector.Name() == "postgres" {
			want = append(want, "      SELECT")
		}
		tree.want(t, strings.Join(want, "\n"))
		txSpan := tree.only(t, "db.transaction")
		wantAttrs(t, txSpan, map[string]string{"gormext.tx.outcome": "rollback"})
		wantStatus(t, txSpan, codes.Error)
		if _, ok := attrValue(txSpan, "gormext.tx.request"); ok {
			t.Error("a Run's transaction span says it is a request's")
		}
		wantNoValue(t, spans, secret)
	})
}

// TestRetriedAttemptsAreSpans: each attempt of WithRetry is a transaction
// span of its own, with its attempt number and the reason it was retried.
func TestRetriedAttemptsAreSpans(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, db *gorm.DB) {
		exp, _ := traced(t, db)
		ctx := txctx.WithDB(context.Background(), db)
		errFlaky := errors.New("flaky")
		attempt := 0
		err := txctx.Run(ctx, func(ctx context.Context) error {
			attempt++
			if attempt == 1 {
				return errFlaky
			}
			return nil
		}, txctx.WithRetry(3), txctx.WithRetryBackoff(1, 1), txctx.WithRetryIf(func(err error) bool { return errors.Is(err, errFlaky) }))
		if err != nil {
			t.Fatal(err)
		}
		spans := newTree(exp.GetSpans()).named("db.transaction")
		if len(spans) != 2 {
			t.Fatalf("%d transaction spans, want 2", len(spans))
		}
		wantAttrs(t, spans[0], map[string]string{"gormext.tx.attempt": "1", "gormext.tx.outcome": "rollback", "gormext.tx.retry_reason": "retry_if"})
		wantAttrs(t, spans[1], map[string]string{"gormext.tx.attempt": "2", "gormext.tx.outcome": "commit"})
		if _, ok := attrValue(spans[1], "gormext.tx.retry_reason"); ok {
			t.Error("the last attempt has a retry reason")
		}
	})
}

// tree indexes ended spans by id, to render their parent/child tree.
type tree struct {
	spans    tracetest.SpanStubs
	children map[trace.SpanID][]int
	ids      map[trace.SpanID]bool
}

func newTree(spans tracetest.SpanStubs) *tree {
	tr := &tree{spans: spans, children: map[trace.SpanID][]int{}, ids: map[trace.SpanID]bool{}}
	for _, s := range spans {
		tr.ids[s.SpanContext.SpanID()] = true
	}
	for i, s := range spans {
		tr.children[s.Parent.SpanID()] = append(tr.children[s.Parent.SpanID()], i)
	}
	return tr
}

// render draws the tree, children in start order, two spaces a level.
func (tr *tree) render() string {
	var b strings.Builder
	var walk func(id trace.SpanID, depth int)
	walk = func(id trace.SpanID, depth int) {
		kids := append([]int(nil), tr.children[id]...)
		for i := 1; i < len(kids); i++ {
			for j := i; j > 0 && tr.spans[kids[j]].StartTime.Before(tr.spans[kids[j-1]].StartTime); j-- {
				kids[j], kids[j-1] = kids[j-1], kids[j]
			}
		}
		for _, k := range kids {
			s := tr.spans[k]
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(strings.Repeat("  ", depth) + s.Name)
			walk(s.SpanContext.SpanID(), depth+1)
		}
	}
	for i, s := range tr.spans { // roots: parents that are not among the spans
		if !tr.ids[s.Parent.SpanID()] && firstRootWithParent(tr, i) {
			walk(s.Parent.SpanID(), 0)
		}
	}
	return b.String()
}

// firstRootWithParent reports whether span i is the first of the spans
// sharing its (absent) parent, so that each group of roots is drawn once.
func firstRootWithParent(tr *tree, i int) bool {
	return tr.children[tr.spans[i].Parent.SpanID()][0] == i
}

func (tr *tree) want(t *testing.T, want string) {
	t.Helper()
	if got := tr.render(); got != want {
		t.Fatalf("span tree:\n%s\nwant:\n%s", got, want)
	}
}

// named returns the spans called name, in start order.
func (tr *tree) named(name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range tr.spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].StartTime.Before(out[j-1].StartTime); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (tr *tree) only(t *testing.T, name string) tracetest.SpanStub {
	t.Helper()
	spans := tr.named(name)
	if len(spans) != 1 {
		t.Fatalf("%d spans named %q, want 1", len(spans), name)
	}
	return spans[0]
}

func attrValue(s tracetest.SpanStub, key string) (string, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.String(), true
		}
	}
	return "", false
}

func attr(s tracetest.SpanStub, key string) string {
	v, _ := attrValue(s, key)
	return v
}

func wantAttrs(t *testing.T, s tracetest.SpanStub, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, ok := attrValue(s, k); !ok || got != v {
			t.Errorf("span %q: %s = %q (set: %v), want %q", s.Name, k, got, ok, v)
		}
	}
}

func wantStatus(t *testing.T, s tracetest.SpanStub, want codes.Code) {
	t.Helper()
	if s.Status.Code != want {
		t.Errorf("span %q: status %v %q, want %v", s.Name, s.Status.Code, s.Status.Description, want)
	}
}

// wantNoValue fails when value appears in any span's name, attributes,
// events or status.
func wantNoValue(t *testing.T, spans tracetest.SpanStubs, value string) {
	t.Helper()
	check := func(where, text string) {
		if strings.Contains(text, value) {
			t.Errorf("%s contains the value %q: %s", where, value, text)
		}
	}
	checkAttrs := func(where string, attrs []attribute.KeyValue) {
		for _, kv := range attrs {
			check(where+" attribute "+string(kv.Key), kv.Value.String())
		}
	}
	for _, s := range spans {
		check("span name", s.Name)
		check("span "+s.Name+" status", s.Status.Description)
		checkAttrs("span "+s.Name, s.Attributes)
		for _, e := range s.Events {
			checkAttrs("span "+s.Name+" event "+e.Name, e.Attributes)
		}
	}
}
