package database

import (
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/hooks"
)

// Defaults applied by [Open] to the zero fields of a [Config]. They mirror
// what Python services configure for SQLAlchemy's connection pool
// (pool_size, max_overflow, pool_timeout, pool_recycle).
const (
	DefaultPoolSize    = 5
	DefaultMaxOverflow = 10
	DefaultPoolTimeout = 30 * time.Second
	DefaultPoolRecycle = time.Hour
	DefaultBusyTimeout = 5 * time.Second
	DefaultSlowQuery   = 200 * time.Millisecond
)

// Config describes one connection pool. Its zero value, apart from URL, means
// the documented defaults.
type Config struct {
	// URL chooses the driver, read as SQLAlchemy reads it:
	// postgresql://... or postgres://... (postgresql+asyncpg://,
	// +psycopg:// and +psycopg2:// too: the Python driver is ignored), a
	// libpq keyword/value string (host=... user=... dbname=...),
	// sqlite:///relative.db, sqlite:////absolute.db, sqlite://relative.db,
	// or in memory sqlite://, sqlite:///:memory: or sqlite::memory:
	// (sqlite+aiosqlite:// likewise). See docs/configuration.md.
	URL string

	// Echo logs every SQL statement, with its duration and rows affected,
	// through Logger at level Info. Without Echo only slow statements
	// (Warn), failures the service must look into (Error: connection
	// failures, SQL errors) and failures the caller handles (Debug:
	// constraint violations, record not found, stale versions, cancelled
	// or expired contexts) are logged.
	Echo bool

	// LogValues puts the statements' parameter values into the logged SQL
	// (and leaves driver error messages that quote a value whole). Off, the
	// SQL is logged with its placeholders ($1 or ?) only, so that e-mail
	// addresses, names and tokens never reach the logs.
	LogValues bool

	// Logger receives SQL logging. Nil means slog.Default().
	Logger *slog.Logger

	// SlowQuery is the duration above which a statement is logged as slow.
	// Zero means DefaultSlowQuery (200 ms); negative switches it off.
	SlowQuery time.Duration

	// PoolSize is the number of connections kept open when idle. Zero means
	// DefaultPoolSize (5).
	PoolSize int

	// MaxOverflow is the number of connections opened beyond PoolSize under
	// load and closed again when returned while PoolSize are already idle; at
	// most PoolSize+MaxOverflow connections are open at once. Zero means
	// DefaultMaxOverflow (10); a negative value means none.
	MaxOverflow int

	// PoolTimeout bounds the wait for a free connection when all
	// PoolSize+MaxOverflow are in use; past it the call fails with
	// ErrPoolTimeout. Zero means DefaultPoolTimeout (30 s).
	PoolTimeout time.Duration

	// PoolRecycle closes and replaces connections older than this. Zero means
	// DefaultPoolRecycle (1 h); a negative value keeps connections forever.
	// An in-memory SQLite database is never recycled: closing its last
	// connection would drop the database.
	PoolRecycle time.Duration

	// PoolPrePing checks each PostgreSQL connection with a ping before
	// handing it out, as SQLAlchemy's pool_pre_ping: a connection that died
	// while idle (server restart, pg_terminate_backend, a proxy's idle
	// timeout) is replaced instead of failing the caller's statement. Off
	// by default, when pgx pings only connections idle for more than a
	// second. SQLite has nothing to ping. FromEnv reads it from
	// DATABASE_POOL_PRE_PING.
	PoolPrePing bool

	// BusyTimeout is how long SQLite waits for another connection's write
	// lock before failing with "database is locked". Zero means
	// DefaultBusyTimeout (5 s). PostgreSQL ignores it.
	BusyTimeout time.Duration

	// Hooks are the options of the hooks plugin that Open registers (clock,
	// UUID generator, validator). See [hooks.New].
	Hooks []hooks.Option

	// GORM, when set, adjusts the gorm.Config Open builds before the
	// connection is opened: for the settings a service chooses itself,
	// such as SkipDefaultTransaction, PrepareStmt, CreateBatchSize,
	// NamingStrategy, QueryFields or DefaultContextTimeout. It receives
	// Open's configuration (Logger, NowFunc, TranslateError and
	// DisableAutomaticPing set as [Open] describes) and may change any of
	// it; the hooks plugin is registered whatever it sets.
	GORM func(*gorm.Config)
}

func (c Config) withDefaults() Config {
	if c.PoolSize <= 0 {
		c.PoolSize = DefaultPoolSize
	}
	switch {
	case c.MaxOverflow == 0:
		c.MaxOverflow = DefaultMaxOverflow
	case c.MaxOverflow < 0:
		c.MaxOverflow = 0
	}
	if c.PoolTimeout <= 0 {
		c.PoolTimeout = DefaultPoolTimeout
	}
	if c.PoolRecycle == 0 {
		c.PoolRecycle = DefaultPoolRecycle
	}
	if c.BusyTimeout <= 0 {
		c.BusyTimeout = DefaultBusyTimeout
	}
	if c.SlowQuery == 0 {
		c.SlowQuery = DefaultSlowQuery
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// maxOpen is the hard limit on open connections.
func (c Config) maxOpen() int { return c.PoolSize + c.MaxOverflow }
