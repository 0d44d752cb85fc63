package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/database"
)

// EnvPostgresDSN names the environment variable holding the PostgreSQL DSN.
const EnvPostgresDSN = "GORMEXT_TEST_POSTGRES_DSN"

// EnvSQLLog names the environment variable that, set to 1, sends the SQL
// log of test databases to standard error. Tests provoke failing statements
// on purpose, so by default the log is discarded.
const EnvSQLLog = "GORMEXT_TEST_SQL_LOG"

func sqlLogger() *slog.Logger {
	if os.Getenv(EnvSQLLog) == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// Kind is a database family tests run on.
type Kind string

const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// Kinds returns the configured databases: SQLite, and PostgreSQL when its DSN
// is set.
func Kinds() []Kind {
	if PostgresDSN() == "" {
		return []Kind{SQLite}
	}
	return []Kind{SQLite, Postgres}
}

// PostgresDSN returns the PostgreSQL DSN, or "" when none is configured.
func PostgresDSN() string { return strings.TrimSpace(os.Getenv(EnvPostgresDSN)) }

// Option adjusts how a test database is opened.
type Option func(*options)

type options struct {
	configure func(*database.Config)
	plain     bool
	through   func(addr string) string
}

// WithConfig lets a test adjust the database.Config before Open (URL aside).
func WithConfig(fn func(*database.Config)) Option {
	return func(o *options) { o.configure = fn }
}

// Plain opens the database with GORM alone, without database.Open and so
// without the hooks plugin: the baseline of benchmarks and the reference of
// "the plugin changes nothing" tests.
func Plain() Option {
	return func(o *options) { o.plain = true }
}

// Through connects a PostgreSQL database's pool through another address:
// proxy gets the server's host:port and returns the one to dial instead
// (a cutproxy.Proxy's, say). The schema is still set up directly.
func Through(proxy func(addr string) string) Option {
	return func(o *options) { o.through = proxy }
}

// Run runs body once per configured database, each as a subtest named after
// its Kind, on a clean database.
func Run(t *testing.T, body func(t *testing.T, db *gorm.DB), opts ...Option) {
	t.Helper()
	for _, kind := range Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			body(t, Open(t, kind, opts...))
		})
	}
}

// Open opens a clean database of the given kind for tb, closed (and, on
// PostgreSQL, its schema dropped) at cleanup.
func Open(tb testing.TB, kind Kind, opts ...Option) *gorm.DB {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	url := "sqlite::memory:"
	if kind == Postgres {
		url = postgresSchemaDSN(tb)
		if o.through != nil {
			url = through(tb, url, o.through)
		}
	}
	db := open(tb, url, o)
	tb.Cleanup(func() { closeDB(tb, db) })
	return db
}

func open(tb testing.TB, url string, o options) *gorm.DB {
	tb.Helper()
	if o.plain {
		return openPlain(tb, url)
	}
	cfg := database.Config{URL: url, Logger: sqlLogger()}
	if o.configure != nil {
		o.configure(&cfg)
		cfg.URL = url
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return db
}

func openPlain(tb testing.TB, url string) *gorm.DB {
	tb.Helper()
	var dial gorm.Dialector
	if url == "sqlite::memory:" {
		dial = sqlite.Open("file:/gormext-plain-" + randomName() + "?vfs=memdb&_foreign_keys=1&_busy_timeout=5000")
	} else {
		dial = postgres.Open(url)
	}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("testdb: plain open: %v", err)
	}
	return db
}

func closeDB(tb testing.TB, db *gorm.DB) {
	tb.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		tb.Errorf("testdb: %v", err)
		return
	}
	if err := sqlDB.Close(); err != nil {
		tb.Errorf("testdb: close: %v", err)
	}
}

// postgresSchemaDSN creates a fresh schema and returns the configured DSN
// with search_path set to it. The schema is dropped at cleanup.
func postgresSchemaDSN(tb testing.TB) string {
	tb.Helper()
	dsn := PostgresDSN()
	if dsn == "" {
		tb.Fatalf("testdb: %s is not set", EnvPostgresDSN)
	}
	schema := "gx_" + randomName()
	admin(tb, dsn, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { admin(tb, dsn, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	return withSearchPath(dsn, schema)
}

// withSearchPath adds search_path to a URL or keyword/value DSN.
func withSearchPath(dsn, schema string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

// through returns dsn with its host and port replaced by proxy's answer.
func through(tb testing.TB, dsn string, proxy func(string) string) string {
	tb.Helper()
	c, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	host, port, err := net.SplitHostPort(proxy(net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))))
	if err != nil {
		tb.Fatalf("testdb: proxy address: %v", err)
	}
	if !strings.Contains(dsn, "://") {
		return dsn + " host=" + host + " port=" + port
	}
	u, err := neturl.Parse(dsn)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	u.Host = net.JoinHostPort(host, port)
	return u.String()
}

// admin runs one statement on a short-lived connection of its own.
func admin(tb testing.TB, dsn, stmt string) {
	tb.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		tb.Fatalf("testdb: PostgreSQL at %s=%q: %s: %v", EnvPostgresDSN, database.Redact(dsn), stmt, err)
	}
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
