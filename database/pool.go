package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// pool is the gorm.ConnPool Open gives GORM: a *sql.DB whose wait for a
// free connection is bounded by Config.PoolTimeout. database/sql waits for a
// connection as long as the statement's context allows, so a pool
// exhausted by long transactions would make every other caller hang.
//
// Each call takes a *sql.Conn with a context bounded by the pool timeout
// (only the wait, and the dial of a new connection, are bounded), runs the
// statement on it with the caller's context, and gives the connection back:
// at once for Exec; for Query and BeginTx at once after GORM's finishers
// (see release.go); otherwise, and for QueryRow, on a goroutine of its own
// that ends with the rows or transaction (sql.Conn.Close waits for them).
type pool struct {
	db      *sql.DB
	timeout time.Duration
	// releasing counts the connections being given back on a goroutine
	// of their own (see releaseLater).
	releasing atomic.Int64
}

var (
	_ gorm.ConnPool       = (*pool)(nil)
	_ gorm.TxBeginner     = (*pool)(nil)
	_ gorm.GetDBConnector = (*pool)(nil)
)

// errPoolWait is the cause of a wait context that ran out.
var errPoolWait = errors.New("pool wait timed out")

// conn takes a connection from the pool. When the caller's own context ends
// first its error is returned; when the pool timeout ends first, an error
// matching ErrPoolTimeout.
func (p *pool) conn(ctx context.Context) (*sql.Conn, error) {
	if p.releasing.Load() > 0 {
		// A connection whose rows or transaction just ended is on its way
		// back: let its goroutine run first, rather than open another.
		runtime.Gosched()
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= p.timeout {
		return p.db.Conn(ctx) // the caller's deadline comes first: no timer
	}
	wait, cancel := context.WithTimeoutCause(ctx, p.timeout, errPoolWait)
	c, err := p.db.Conn(wait)
	cancel()
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(wait), errPoolWait) {
		return nil, p.timeoutError()
	}
	return c, err
}

func (p *pool) timeoutError() error {
	s := p.db.Stats()
	if s.InUse < s.MaxOpenConnections {
		// There was room for a new connection: opening it took too long.
		return fmt.Errorf("%w: waited %s for a new connection to open (is the server reachable? raise PoolTimeout for a slow network)",
			ErrPoolTimeout, p.timeout)
	}
	return fmt.Errorf("%w: waited %s; all %d connections are in use (raise PoolSize/MaxOverflow or PoolTimeout, and make sure rows are closed and transactions end)",
		ErrPoolTimeout, p.timeout, s.MaxOpenConnections)
}

// ExecContext implements gorm.ConnPool.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ExecContext(ctx, query, args...)
}

// QueryContext implements gorm.ConnPool. The connection goes back to the
// pool when the rows are closed: at once through the release callbacks for
// GORM's finishers, else on a goroutine that waits for the rows.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	if !claim(ctx, c, claimQuery) { // see release.go
		p.releaseAsync(c)
	}
	return rows, nil
}

// QueryRowContext implements gorm.ConnPool. The connection goes back to the
// pool when the row is scanned.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c, err := p.conn(ctx)
	if err != nil {
		// *sql.Row cannot be built with an error; database/sql reports the
		// error of a context that is already done, so hand it one that
		// carries err.
		return p.db.QueryRowContext(failedContext{ctx, err}, query, args...)
	}
	row := c.QueryRowContext(ctx, query, args...)
	p.releaseAsync(c)
	return row
}

// BeginTx implements gorm.TxBeginner. The connection goes back to the pool
// when the transaction commits or rolls back: at once for the transaction
// GORM wraps around a Create, Update or Delete, on a goroutine that waits for
// the end of the transaction otherwise.
func (p *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := c.BeginTx(ctx, opts)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	if !claim(ctx, c, claimTx) { // see release.go
		p.releaseAsync(c)
	}
	return tx, nil
}

// PrepareContext implements gorm.ConnPool. Prepared statements belong to
// the whole *sql.DB (GORM uses them only with PrepareStmt), so they are
// prepared there; their executions wait for connections as database/sql
// does.
func (p *pool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

// PingContext checks that a connection can be taken and reaches the server.
func (p *pool) PingContext(ctx context.Context) error {
	c, err := p.conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.PingContext(ctx)
}

// Ping is what GORM calls after opening (Open turns that ping off: it has
// pinged already).
func (p *pool) Ping() error { return p.PingContext(context.Background()) }

// GetDBConn implements gorm.GetDBConnector, so that db.DB() returns the
// *sql.DB.
func (p *pool) GetDBConn() (*sql.DB, error) { return p.db, nil }

// releaseLater gives c back to the pool once the rows, row or transaction
// started on it are done: sql.Conn.Close blocks until then.
func (p *pool) releaseLater(c *sql.Conn) {
	_ = c.Close()
	p.releasing.Add(-1)
}

// releaseAsync gives c back on a goroutine of its own.
func (p *pool) releaseAsync(c *sql.Conn) {
	p.releasing.Add(1)
	go p.releaseLater(c)
}

// failedContext is a context that is already done with a given error.
type failedContext struct {
	context.Context
	err error
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (f failedContext) Done() <-chan struct{} { return closedChan }
func (f failedContext) Err() error            { return f.err }
