package txctx_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
)

// wire is a database/sql connector that records everything the driver is
// asked to send (BEGIN, prepares, statements, COMMIT, ROLLBACK): what
// reached the database, seen below GORM and below txctx, so that "nothing
// was sent" never rests on the code under test.
type wire struct {
	drv driver.Driver
	dsn string
	mu  sync.Mutex
	log []string
}

// openWire opens a *sql.DB on drv whose traffic the returned wire records.
func openWire(drv driver.Driver, dsn string) (*sql.DB, *wire) {
	w := &wire{drv: drv, dsn: dsn}
	return sql.OpenDB(w), w
}

func (w *wire) Connect(context.Context) (driver.Conn, error) {
	c, err := w.drv.Open(w.dsn)
	if err != nil {
		return nil, err
	}
	return &wireConn{Conn: c, w: w}, nil
}

func (w *wire) Driver() driver.Driver { return w.drv }

func (w *wire) note(s string) {
	w.mu.Lock()
	w.log = append(w.log, strings.TrimSpace(s))
	w.mu.Unlock()
}

// mark returns the position of the next statement, for since.
func (w *wire) mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.log)
}

// since returns what was sent after mark.
func (w *wire) since(mark int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.log[mark:]...)
}

type wireConn struct {
	driver.Conn
	w *wire
}

func (c *wireConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.w.note("PREPARE " + q)
	p, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return c.Conn.Prepare(q)
	}
	s, err := p.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &wireStmt{Stmt: s, w: c.w, q: q, conn: c}, nil
}

func (c *wireConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.w.note("BEGIN")
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &wireTx{Tx: tx, w: c.w}, nil
}

func (c *wireConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.w.note(q)
	return e.ExecContext(ctx, q, args)
}

func (c *wireConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	e, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.w.note(q)
	return e.QueryContext(ctx, q, args)
}

func (c *wireConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *wireConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *wireConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type wireTx struct {
	driver.Tx
	w *wire
}

func (t *wireTx) Commit() error   { t.w.note("COMMIT"); return t.Tx.Commit() }
func (t *wireTx) Rollback() error { t.w.note("ROLLBACK"); return t.Tx.Rollback() }

type wireStmt struct {
	driver.Stmt
	w    *wire
	q    string
	conn *wireConn
}

func (s *wireStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.w.note(s.q)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *wireStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.w.note(s.q)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *wireStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}
