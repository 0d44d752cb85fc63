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
// result type", see replan.go), so outside a transaction the statement
// prepares itself again on its connection and runs once more. Everything
// else passes through.
type stmt struct {
	contextStmt
	conn *conn
	sql  string
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
	res, err := s.contextStmt.ExecContext(ctx, args)
	if s.stale(ctx, err) {
		if err := s.replan(ctx); err != nil {
			return nil, err
		}
		return s.contextStmt.ExecContext(ctx, args)
	}
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.contextStmt.QueryContext(ctx, args)
	if s.stale(ctx, err) {
		if err := s.replan(ctx); err != nil {
			return nil, err
		}
		return s.contextStmt.QueryContext(ctx, args)
	}
	return rows, err
}

// stale reports whether err is PostgreSQL's refusal of the statement's
// stale plan on a connection in no transaction (in one, the refusal has
// aborted it, and the error is the caller's).
func (s *stmt) stale(ctx context.Context, err error) bool {
	return IsStalePlan(err) && ctx.Err() == nil && s.conn.pgx() != nil && s.conn.pgx().PgConn().TxStatus() == 'I'
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
	s.contextStmt = cs
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
