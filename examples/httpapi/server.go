package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/txctx"
)

// Config holds the settings of [NewServer]. The zero value means the
// documented defaults.
type Config struct {
	// Logger receives one line per request and every server-side error.
	// Nil means slog.Default().
	Logger *slog.Logger

	// RequestTimeout is the deadline of each request's context: queries
	// still running when it passes are cancelled, the transaction is rolled
	// back and the client gets 503. Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration

	// CursorKey signs the cursors of GET /articles/feed. Give every instance
	// of the service the same key of at least 32 random bytes; nil means a
	// random key per process (cursors then stop working on restart).
	CursorKey []byte

	// AfterCommit, when set, is called once for every audit entry after the
	// transaction that wrote it has committed (txctx.AfterCommit), and never
	// for one that was rolled back: the service's after-commit event, the
	// place to publish it. The entries of refused changes
	// ("article.update_refused") are written by a txctx.RunNew of their own
	// after the request rolled back, and reported once it committed. It runs on the request's goroutine after the
	// response was sent; the load tests count these events.
	AfterCommit func(ctx context.Context, entry AuditEntry)
}

// DefaultRequestTimeout is the request deadline when Config.RequestTimeout
// is zero.
const DefaultRequestTimeout = 10 * time.Second

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	return c
}

// server holds what the handlers share.
type server struct {
	log      *slog.Logger
	authors  authorRepository
	articles articleRepository
	audit    auditRepository
	lists    listings
}

// NewServer returns the service's HTTP handler on db: the routes, each
// request wrapped (outermost first) in logging, panic recovery, a deadline,
// JSON errors for failures outside the handlers, and a transaction
// (txctx.Middleware) that commits when the handler answers below 400. The
// health route, /healthz, is served by database.HealthHandler inside the
// logging and recovery only: it opens no transaction and bounds its check
// itself (database.DefaultHealthTimeout). The tables must exist; see
// [Migrate].
func NewServer(db *gorm.DB, cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	s := &server{
		log:   cfg.Logger,
		lists: newListings(cfg.CursorKey),
		audit: auditRepository{afterCommit: cfg.AfterCommit, log: cfg.Logger},
	}
	var h http.Handler = s.routes()
	h = txctx.Middleware(db)(h)
	h = withPlainErrorsAsJSON(h)
	h = withTimeout(cfg.RequestTimeout)(h)
	h = withHealthRoute(database.HealthHandler(map[string]*gorm.DB{database.DefaultName: db},
		database.WithHealthLogger(cfg.Logger)), h)
	h = s.withRecovery(h)
	h = s.withLogging(h)
	return h
}

// healthPath is the path of the health route.
const healthPath = "/healthz"

// withHealthRoute sends the requests for healthPath, whatever their method
// (the health handler answers 405 itself), to health, and the others to
// next.
func withHealthRoute(health, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == healthPath {
			health.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// routes maps each route to its handler (Go 1.22 patterns). Requests that
// match no route get the API's JSON error shape: 404, or 405 with an Allow
// header when the path exists for other methods.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /authors", s.createAuthor)
	mux.HandleFunc("GET /authors/{id}", s.getAuthor)
	mux.HandleFunc("POST /articles", s.createArticle)
	mux.HandleFunc("GET /articles", s.listArticles)
	mux.HandleFunc("GET /articles/feed", s.feedArticles)
	mux.HandleFunc("GET /articles/{id}", s.getArticle)
	mux.HandleFunc("PATCH /articles/{id}", s.updateArticle)
	mux.HandleFunc("DELETE /articles/{id}", s.deleteArticle)
	mux.HandleFunc("GET /audit", s.listAudit)
	return withJSONFallback(mux)
}

// withJSONFallback answers the requests mux has no route for in the API's
// error shape instead of net/http's plain text.
func withJSONFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r) // net/http's own 404 or 405, with its Allow header
		if probe.status != http.StatusMethodNotAllowed {
			writeError(w, &APIError{Status: http.StatusNotFound, Code: "not_found", Message: "no such route: see the routes in the API's documentation"})
			return
		}
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		writeError(w, &APIError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Message: fmt.Sprintf("method %.20q is not allowed on this path (allowed: %s)", r.Method, allow)})
	})
}

// headerProbe records the status and headers of net/http's fallback
// handlers and drops their body.
type headerProbe struct {
	header http.Header
	status int
}

// Header returns the recorded headers.
func (p *headerProbe) Header() http.Header { return p.header }

// WriteHeader records the status.
func (p *headerProbe) WriteHeader(status int) { p.status = status }

// Write drops the body.
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
