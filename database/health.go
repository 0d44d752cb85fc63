package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
)

// ErrUnreachable is matched (errors.Is) by every error of [Ping]: the
// database did not answer a query in time, refused the connection, or its
// pool is closed. The underlying cause (context.DeadlineExceeded,
// sql.ErrConnDone, the driver's error) is matched as well.
var ErrUnreachable = errors.New("database: unreachable")

// DefaultHealthTimeout bounds each connection's check in [Health] and
// [HealthHandler] unless [WithHealthTimeout] says otherwise.
const DefaultHealthTimeout = 2 * time.Second

// Ping runs one query (SELECT 1) on db's pool and reads its answer: a real
// round trip to the server, not only a check that a connection exists. It
// waits for a free connection, dials one if needed and runs the query
// within ctx; give ctx a deadline, or a hung server hangs the call.
//
// Every error matches [ErrUnreachable] and its cause; its message never
// contains a password.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database: Ping needs a *gorm.DB from Open, not one inside a transaction: %w", err)
	}
	var one int
	if err := sqlDB.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return &pingError{cause: err}
	}
	return nil
}

// pingError is the error of Ping: ErrUnreachable and the cause, with the
// cause's text redacted.
type pingError struct{ cause error }

func (e *pingError) Error() string {
	return ErrUnreachable.Error() + ": " + redactMessage(e.cause.Error())
}

func (e *pingError) Unwrap() []error { return []error{ErrUnreachable, e.cause} }

var (
	urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@`)
	dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
)

// redactMessage replaces the passwords of the URLs and keyword/value DSNs
// an error message may quote.
func redactMessage(msg string) string {
	msg = urlPassword.ReplaceAllString(msg, "${1}xxxxx@")
	return dsnPassword.ReplaceAllString(msg, "${1}xxxxx")
}

// Report is the state of named connections, as [Health] found it.
type Report struct {
	// Status is "ok" when every connection answered, else "unavailable".
	Status string `json:"status"`
	// Failing names the connections that did not answer, sorted; empty when
	// Status is "ok".
	Failing []string `json:"failing,omitempty"`
	// Connections holds each connection's check, by name.
	Connections map[string]ConnectionHealth `json:"connections"`
}

// Report statuses.
const (
	StatusOK          = "ok"
	StatusUnavailable = "unavailable"
)

// OK reports whether every connection answered.
func (r Report) OK() bool { return r.Status == StatusOK }

// ConnectionHealth is the check of one connection.
type ConnectionHealth struct {
	// Reachable is true when [Ping] succeeded within the timeout.
	Reachable bool `json:"reachable"`
	// LatencyMS is how long the check took, in milliseconds.
	LatencyMS float64 `json:"latency_ms"`
	// Error says why the check failed, in a few fixed words ("timeout",
	// "closed", "unreachable") that reveal nothing of the server: the
	// detailed error goes to the logger of [WithHealthLogger].
	Error string `json:"error,omitempty"`
	// Pool is the state of the connection pool after the check.
	Pool PoolHealth `json:"pool"`
}

// PoolHealth is the state of a pool, from sql.DB.Stats.
type PoolHealth struct {
	Open           int     `json:"open"`
	InUse          int     `json:"in_use"`
	Idle           int     `json:"idle"`
	MaxOpen        int     `json:"max_open"`
	WaitCount      int64   `json:"wait_count"`
	WaitDurationMS float64 `json:"wait_duration_ms"`
	// Timeouts counts the waits that ended with [ErrPoolTimeout], when the
	// pool under the *gorm.DB counts them; 0 otherwise.
	Timeouts int64 `json:"timeouts"`
}

// HealthOption adjusts [Health] and [HealthHandler].
type HealthOption func(*healthConfig)

type healthConfig struct {
	timeout time.Duration
	log     *slog.Logger
}

// WithHealthTimeout bounds each connection's check (DefaultHealthTimeout,
// 2 s, by default): a database that does not answer within it is reported
// as "timeout", so a hung server cannot hang the probe.
func WithHealthTimeout(d time.Duration) HealthOption {
	return func(c *healthConfig) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithHealthLogger receives one ERROR record per failed check, with the
// connection's name and the redacted error (slog.Default() by default).
func WithHealthLogger(l *slog.Logger) HealthOption {
	return func(c *healthConfig) {
		if l != nil {
			c.log = l
		}
	}
}

func newHealthConfig(opts []HealthOption) healthConfig {
	c := healthConfig{timeout: DefaultHealthTimeout, log: slog.Default()}
	for _, opt := range opts {
		opt(&c)
	}
	return c
}

// Health checks every connection of dbs with [Ping], all at once, each
// bounded by the health timeout and by ctx, and reports what it found.
// It returns within the timeout even when a driver ignores its context.
// Pass [Connections.All] to check the pools of [OpenAll].
func Health(ctx context.Context, dbs map[string]*gorm.DB, opts ...HealthOption) Report {
	cfg := newHealthConfig(opts)
	return cfg.check(ctx, dbs)
}

func (c healthConfig) check(ctx context.Context, dbs map[string]*gorm.DB) Report {
	r := Report{Status: StatusOK, Connections: make(map[string]ConnectionHealth, len(dbs))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, db := range dbs {
		wg.Go(func() {
			h := c.checkOne(ctx, name, db)
			mu.Lock()
			r.Connections[name] = h
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, name := range slices.Sorted(maps.Keys(r.Connections)) {
		if !r.Connections[name].Reachable {
			r.Status = StatusUnavailable
			r.Failing = append(r.Failing, name)
		}
	}
	return r
}

// checkOne pings db within the timeout. The ping runs on a goroutine of its
// own so that a driver that ignores the context cannot hold the probe: the
// goroutine then ends when the driver returns.
func (c healthConfig) checkOne(ctx context.Context, name string, db *gorm.DB) ConnectionHealth {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- Ping(ctx, db) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = &pingError{cause: ctx.Err()}
	}
	h := ConnectionHealth{Reachable: err == nil, LatencyMS: milliseconds(time.Since(start)), Pool: poolHealth(db)}
	if err != nil {
		h.Error = errorClass(err)
		c.log.LogAttrs(ctx, slog.LevelError, "database health check failed",
			slog.String("connection", name), slog.String("error", err.Error()))
	}
	return h
}

// errorClass is the few words the health report gives for err.
func errorClass(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case isClosed(err):
		return "closed"
	default:
		return "unreachable"
	}
}

// isClosed reports whether err says the *sql.DB was closed (database/sql
// has no sentinel for it).
func isClosed(err error) bool {
	var pe *pingError
	return errors.As(err, &pe) && pe.cause.Error() == "sql: database is closed"
}

func poolHealth(db *gorm.DB) PoolHealth {
	sqlDB, err := db.DB()
	if err != nil {
		return PoolHealth{}
	}
	s := sqlDB.Stats()
	return PoolHealth{
		Open:           s.OpenConnections,
		InUse:          s.InUse,
		Idle:           s.Idle,
		MaxOpen:        s.MaxOpenConnections,
		WaitCount:      s.WaitCount,
		WaitDurationMS: milliseconds(s.WaitDuration),
		Timeouts:       PoolTimeouts(db),
	}
}

// timeoutCounter is implemented by a pool (the gorm.ConnPool Open gives
// GORM) that counts the waits that ended with ErrPoolTimeout.
type timeoutCounter interface{ PoolTimeouts() int64 }

// PoolTimeouts returns how many waits for a connection of db's pool have
// ended with [ErrPoolTimeout] since [Open] opened it: a counter that only
// grows, for metrics (PoolHealth.Timeouts reports the same number). It is
// 0 for a *gorm.DB whose pool does not count them (one not opened by
// Open, or a session inside a transaction).
func PoolTimeouts(db *gorm.DB) int64 {
	pool := db.ConnPool
	if ps, ok := pool.(*gorm.PreparedStmtDB); ok { // PrepareStmt
		pool = ps.ConnPool
	}
	if tc, ok := pool.(timeoutCounter); ok {
		return tc.PoolTimeouts()
	}
	return 0
}

// milliseconds is d in milliseconds, to the microsecond.
func milliseconds(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
