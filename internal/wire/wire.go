// Package wire is a database/sql connector for tests that records
// everything the driver is asked to send (BEGIN, prepares, statements,
// COMMIT, ROLLBACK): what reached the database, seen below GORM and below
// gormext, so that a test's "nothing was sent" never rests on the code
// under test.
package wire

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
)

// Recorder is the connector: open a *sql.DB on it with [Open].
type Recorder struct {
	drv driver.Driver
	dsn string
	mu  sync.Mutex
	log []string
}

var _ driver.Connector = (*Recorder)(nil)

// Connect implements driver.Connector.
func (w *Recorder) Connect(context.Context) (driver.Conn, error) {
	c, err := w.drv.Open(w.dsn)
	if err != nil {
		return nil, err
	}
	return &wireConn{Conn: c, w: w}, nil
}

// Driver implements driver.Connector.
func (w *Recorder) Driver() driver.Driver { return w.drv }

func (w *Recorder) note(s string) {
	w.mu.Lock()
	w.log = append(w.log, strings.TrimSpace(s))
	w.mu.Unlock()
}

// Sent returns what was sent so far.
func (w *Recorder) Sent() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.log...)
}

// Mark returns the position of the next statement, for Since.
func (w *Recorder) Mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.log)
}

// Since returns what was sent after mark.
func (w *Recorder) Since(mark int) []string { return w.Sent()[mark:] }

// Data drops transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT...) from
// sent: the statements that read or write rows.
func Data(sent []string) []string {
	var out []string
	for _, s := range sent {
		u := strings.ToUpper(s)
		switch {
		case u == "BEGIN", u == "COMMIT", u == "ROLLBACK",
			strings.HasPrefix(u, "SAVEPOINT"), strings.HasPrefix(u, "RELEASE"), strings.HasPrefix(u, "ROLLBACK TO"):
			continue
		}
		out = append(out, s)
	}
	return out
}

type wireConn struct {
	driver.Conn
	w *Recorder
}

func (c *wireConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

func (c *wireConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.w.note("PREPARE " + q)
	var s driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		s, err = p.PrepareContext(ctx, q)
	} else {
		s, err = c.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &wireStmt{Stmt: s, w: c.w, q: q, conn: c}, nil
}

func (c *wireConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.w.note("BEGIN")
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts) // pgx's and go-sqlite3's connections have it
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

func (c *wireConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
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
	w *Recorder
}

func (t *wireTx) Commit() error   { t.w.note("COMMIT"); return t.Tx.Commit() }
func (t *wireTx) Rollback() error { t.w.note("ROLLBACK"); return t.Tx.Rollback() }

type wireStmt struct {
	driver.Stmt
	w    *Recorder
	q    string
	conn *wireConn
}

func (s *wireStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.w.note(s.q)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args) // as BeginTx
}

func (s *wireStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.w.note(s.q)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args) // as BeginTx
}

func (s *wireStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

// Open opens a *sql.DB on drv and dsn whose traffic the returned Recorder
// records.
func Open(drv driver.Driver, dsn string) (*sql.DB, *Recorder) {
	w := &Recorder{drv: drv, dsn: dsn}
	return sql.OpenDB(w), w
}
