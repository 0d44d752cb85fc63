package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// connector wraps a driver's connector so that its connections tell a
// pool call's [waitCtx] when database/sql hands them over (see wait.go).
// That, statements that prepare themselves again after a schema change
// (stmt.go) and, on pgx, statements held back to travel with COMMIT
// (atcommit.go, tx.go) are all the wrapper adds: every other method passes
// through.
type connector struct{ driver.Connector }

// dsnConnector is the connector of a driver that has none of its own.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// openDB opens a *sql.DB on the connections of c, wrapped.
func openDB(c driver.Connector) *sql.DB { return sql.OpenDB(connector{c}) }

// Connect implements driver.Connector.
func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc}, nil
}

// conn is a driver connection that settles the wait of the call it is
// handed to. database/sql calls ResetSession when it takes an idle
// connection from the pool, then one of the context methods for the call:
// whichever comes first with the call's context settles it. Session reset
// settles only once it succeeded, so that a dead connection database/sql
// discards and replaces is still part of the bounded wait.
type conn struct {
	driver.Conn
	tx      *pgTx           // the pgx transaction in progress, if any
	held    []held          // statements held back until its COMMIT
	heldCtx context.Context // the first held statement's context
}

var (
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
)

// errNoBeginTx is returned for a driver without driver.ConnBeginTx (pgx and
// go-sqlite3 both have it).
var errNoBeginTx = errors.New("database: the driver cannot begin a transaction with a context")

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		if err := r.ResetSession(ctx); err != nil {
			return err
		}
	}
	settleWait(ctx)
	return nil
}

// PrepareContext returns the driver's statement wrapped (see stmt.go).
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	settleWait(ctx)
	if err := c.sendHeld(ctx); err != nil {
		return nil, err
	}
	ds, err := c.prepare(ctx, query)
	if cs, ok := ds.(contextStmt); ok && err == nil {
		return &stmt{contextStmt: cs, conn: c, sql: query}, nil
	}
	return ds, err
}

// prepare is the driver's own PrepareContext.
func (c *conn) prepare(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

// BeginTx wraps a pgx transaction so that its COMMIT can carry the
// statements held back for it (see [AtCommit]).
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	settleWait(ctx)
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errNoBeginTx
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil || c.pgx() == nil {
		return tx, err
	}
	c.tx, c.held, c.heldCtx = &pgTx{Tx: tx, conn: c, ctx: ctx}, nil, nil
	return c.tx, nil
}

// ExecContext and QueryContext make a statement refused for a stale plan
// once more on the same connection, outside a transaction (see replan.go).
// ExecContext holds a statement back until COMMIT where [AtCommit] allows;
// both send the statements held back before their own.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	settleWait(ctx)
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if c.holds(ctx, query) {
		return c.hold(ctx, query, args, nil), nil
	}
	if err := c.sendHeld(ctx); err != nil {
		return nil, err
	}
	res, err := e.ExecContext(ctx, query, args)
	if c.replan(ctx, err) {
		return e.ExecContext(ctx, query, args)
	}
	return res, err
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	settleWait(ctx)
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if err := c.sendHeld(ctx); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, query, args)
	if c.replan(ctx, err) {
		return q.QueryContext(ctx, query, args)
	}
	return rows, err
}

func (c *conn) Ping(ctx context.Context) error {
	settleWait(ctx)
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// Unwrap returns the driver's own connection, for code that reaches it
// through (*sql.Conn).Raw.
func (c *conn) Unwrap() driver.Conn { return c.Conn }
