package database

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// pool is the gorm.ConnPool Open gives GORM: the *sql.DB itself, which owns
// the connections, with its wait for a free connection bounded by
// Config.PoolTimeout. database/sql waits for a connection as long as the
// statement's context allows, and uses that same context for the
// statement; each call here passes a [waitCtx] instead, which ends after
// PoolTimeout only while the call still waits (see wait.go), so that the
// bound never cancels a running statement, its rows or its transaction.
//
// Connections are database/sql's from end to end: a call takes one, GORM
// closes the rows or ends the transaction, and database/sql puts it back
// before the call returns.
type pool struct {
	db       *sql.DB
	timeout  time.Duration
	timeouts atomic.Int64 // waits that ran out of timeout (see PoolTimeouts)
}

var (
	_ gorm.ConnPool       = (*pool)(nil)
	_ gorm.TxBeginner     = (*pool)(nil)
	_ gorm.GetDBConnector = (*pool)(nil)
)

// ExecContext implements gorm.ConnPool.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	wctx, w := p.wait(ctx)
	res, err := p.db.ExecContext(wctx, query, args...)
	return res, w.end(err)
}

// QueryContext implements gorm.ConnPool.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	wctx, w := p.wait(ctx)
	rows, err := p.db.QueryContext(wctx, query, args...)
	return rows, w.end(err)
}

// QueryRowContext implements gorm.ConnPool. A wait that timed out is the
// row's error (database/sql reports the context's error, and the wait's
// error is ErrPoolTimeout).
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	wctx, w := p.wait(ctx)
	row := p.db.QueryRowContext(wctx, query, args...)
	_ = w.end(nil)
	return row
}

// BeginTx implements gorm.TxBeginner.
func (p *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	wctx, w := p.wait(ctx)
	tx, err := p.db.BeginTx(wctx, opts)
	return tx, w.end(err)
}

// PrepareContext implements gorm.ConnPool. The statement belongs to the
// whole *sql.DB (GORM prepares only with PrepareStmt); its later executions
// take connections as database/sql does, with the caller's context.
func (p *pool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	wctx, w := p.wait(ctx)
	stmt, err := p.db.PrepareContext(wctx, query)
	return stmt, w.end(err)
}

// PingContext checks that a connection can be taken and reaches the server.
func (p *pool) PingContext(ctx context.Context) error {
	wctx, w := p.wait(ctx)
	return w.end(p.db.PingContext(wctx))
}

// Ping is what GORM calls after opening (Open turns that ping off: it has
// pinged already).
func (p *pool) Ping() error { return p.PingContext(context.Background()) }

// GetDBConn implements gorm.GetDBConnector, so that db.DB() returns the
// *sql.DB.
func (p *pool) GetDBConn() (*sql.DB, error) { return p.db, nil }

// PoolTimeouts returns how many waits for a connection ended with
// ErrPoolTimeout since the pool was opened (see the function PoolTimeouts).
func (p *pool) PoolTimeouts() int64 { return p.timeouts.Load() }

// timeoutError is the error of a wait that ran out.
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
