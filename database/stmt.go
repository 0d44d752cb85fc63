package database

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/jackc/pgx/v5"
)

// stmt is a statement prepared on one connection (GORM's PrepareStmt, or
// database/sql's Prepare). PostgreSQL refuses a prepared statement for good
// once a schema change alters what it returns ("cached plan must not change
// result type", see replan.go), so the statement prepares itself again on
// its connection: at once and runs once more outside a transaction, before
// its next use inside one. Everything else passes through. database/sql
// uses a driver statement under its connection's lock, one call at a time.
type stmt struct {
	contextStmt
	conn  *conn
	sql   string
	stale bool // refused for a stale plan, not yet prepared again
}

// contextStmt is a driver statement with the context methods (pgx's and
// go-sqlite3's have them; a statement without them is not wrapped).
type contextStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if !s.stale && s.conn.holds(ctx, s.sql) { // a stale one prepares again first
		return s.conn.hold(ctx, s.sql, args, s), nil
	}
	if err := s.conn.sendHeld(ctx); err != nil {
		return nil, err
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	res, err := s.contextStmt.ExecContext(ctx, args)
	if s.again(ctx, err) {
		return s.contextStmt.ExecContext(ctx, args)
	}
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.conn.sendHeld(ctx); err != nil {
		return nil, err
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	rows, err := s.contextStmt.QueryContext(ctx, args)
	if s.again(ctx, err) {
		return s.contextStmt.QueryContext(ctx, args)
	}
	return rows, err
}

// refresh prepares the statement again if a transaction found it stale,
// unless the connection is still in that aborted transaction (which refuses
// everything until it ends).
func (s *stmt) refresh(ctx context.Context) error {
	if !s.stale || s.conn.pgx().PgConn().TxStatus() == 'E' {
		return nil
	}
	return s.replan(ctx)
}

// again reports whether the statement, refused for a stale plan, was
// prepared again to be run once more: on a connection in no transaction.
// In a transaction the refusal has aborted it and the error is the
// caller's; the statement is prepared again when next used (the
// transaction run again, say).
func (s *stmt) again(ctx context.Context, err error) bool {
	if !IsStalePlan(err) || s.conn.pgx() == nil {
		return false
	}
	s.stale = true
	return s.conn.replan(ctx, err) && s.replan(ctx) == nil
}

// replan prepares the statement again. pgx keeps one prepared statement per
// SQL text and connection, shared by every database/sql statement of that
// text: closing ours releases our share, and the statement is deallocated
// in case another share keeps it, so that preparing describes the table's
// new shape.
func (s *stmt) replan(ctx context.Context) error {
	_ = s.contextStmt.Close()
	if err := s.conn.pgx().Deallocate(ctx, s.sql); err != nil {
		return err
	}
	fresh, err := s.conn.prepare(ctx, s.sql)
	if err != nil {
		return err
	}
	cs, ok := fresh.(contextStmt)
	if !ok { // the same driver prepared it: cannot happen
		_ = fresh.Close()
		return errors.New("database: the driver's statement lost its context methods")
	}
	s.contextStmt, s.stale = cs, false
	return nil
}

// pgx returns pgx's connection under c, or nil when c is no pgx
// connection.
func (c *conn) pgx() *pgx.Conn {
	if pc, ok := c.Conn.(interface{ Conn() *pgx.Conn }); ok {
		return pc.Conn()
	}
	return nil
}
