package database

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gormext/gormext/internal/atcommit"
)

// AtCommit starts the text of a statement that may be sent in the same
// round trip as its transaction's COMMIT, as package outbox does with the
// statement that writes a transaction's messages.
//
// On PostgreSQL, through [Open]'s pool, such a statement executed (Exec) in
// a txctx.BeforeCommit flush just before a COMMIT is not sent at once: the
// connection keeps it and sends it at Commit, pipelined with the COMMIT, so
// that it costs no round trip of its own. Its result is then unknown: Exec
// returns no error, and RowsAffected (-1) and LastInsertId return
// [ErrResultAtCommit] (GORM's RowsAffected is then -1). Commit returns
// its error, if it fails (a constraint violation as a [*ConstraintError],
// as for any statement), after rolling the transaction back: nothing is
// committed.
// Rollback drops it unsent. Any other call on the connection before
// COMMIT (a statement, a query, a prepare) sends it first, so nothing can
// see it missing.
//
// In pgx's default query exec mode the first use of a statement text on a
// connection prepares it first (a round trip, once, as for any statement);
// in describe_exec mode every use does.
//
// Everywhere else AtCommit is an SQL comment and the statement runs at
// once: on SQLite, on a pool opened with plain gorm.Open, outside such a
// flush, in a flush that ends a savepoint, in a nested Run (a savepoint)
// or another transaction begun by the flush, and under a context of the
// statement's own that can end before the flush's (a timeout).
const AtCommit = atcommit.Marker

// ErrResultAtCommit is the answer of RowsAffected and LastInsertId for a
// statement held back until COMMIT (see [AtCommit]).
var ErrResultAtCommit = errors.New("database: the statement is sent with COMMIT; its result is not known before")

// heldResult is the result of a statement held back until COMMIT.
type heldResult struct{}

func (heldResult) LastInsertId() (int64, error) { return 0, ErrResultAtCommit }
func (heldResult) RowsAffected() (int64, error) { return -1, ErrResultAtCommit }

// held is a statement held back until COMMIT, with its arguments and the
// prepared statement it was run as, if any.
type held struct {
	sql  string
	args []any
	stmt *stmt
}

// cancelTimeout bounds the cancel request sent when the context of held
// statements ends during their COMMIT.
const cancelTimeout = 10 * time.Second

// cancelRepeat is how long a cancel request is given to take effect before
// it is sent again (see cancelWhenDone).
const cancelRepeat = time.Second

// holds reports whether the statement query, run with ctx, is to be held
// back until COMMIT: the connection is in a pgx transaction, the statement
// carries the marker and ctx says that COMMIT comes next.
func (c *conn) holds(ctx context.Context, query string) bool {
	return c.tx != nil && atcommit.Has(query) && atcommit.IsCommitNext(ctx)
}

// hold keeps the statement for the COMMIT. Byte slices, of []byte or of a
// type of their own such as json.RawMessage, are copied: the caller may
// reuse them once Exec has returned.
func (c *conn) hold(ctx context.Context, query string, args []driver.NamedValue, s *stmt) driver.Result {
	values := make([]any, len(args))
	for i, a := range args {
		values[i] = cloneBytes(a.Value)
	}
	if len(c.held) == 0 {
		c.heldCtx = ctx
	}
	c.held = append(c.held, held{sql: query, args: values, stmt: s})
	return heldResult{}
}

// cloneBytes returns a copy of v when it is a byte slice (of any type
// whose kind is []byte), else v.
func cloneBytes(v any) any {
	switch b := v.(type) {
	case nil, string, int64, float64, bool, time.Time:
		return v
	case []byte:
		return bytes.Clone(b)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || rv.Type().Elem().Kind() != reflect.Uint8 || rv.IsNil() {
		return v
	}
	c := reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())
	reflect.Copy(c, rv)
	return c.Interface()
}

// batch takes the held statements, in order, as a pgx batch; it returns
// them too, for refusedStale.
func (c *conn) batch() (*pgx.Batch, []held) {
	hs := c.held
	c.held, c.heldCtx = nil, nil
	b := &pgx.Batch{}
	simple := c.pgx().Config().DefaultQueryExecMode == pgx.QueryExecModeSimpleProtocol
	for _, h := range hs {
		query := h.sql
		if simple && strings.Contains(query, "--") {
			// pgx joins the batch into one text, with ";": a line
			// comment at the end would swallow what follows.
			query += "\n"
		}
		b.Queue(query, h.args...)
	}
	return b, hs
}

// refusedStale marks the prepared statements among hs, a batch refused for
// a stale plan, stale, as their own refusal does (stmt.go): pgx runs a
// batch's statement text as the statement prepared under that name, and it
// would be refused at every COMMIT until prepared afresh. It returns err.
func refusedStale(err error, hs []held) error {
	if IsStalePlan(err) {
		for _, h := range hs {
			if h.stmt != nil {
				h.stmt.stale = true
			}
		}
	}
	return err
}

// sendHeld sends the held statements, in one round trip, before another
// call on the connection. A failure aborts the transaction, as the
// statement's own failure would have; it is the call's error.
func (c *conn) sendHeld(ctx context.Context) error {
	if len(c.held) == 0 {
		return nil
	}
	b, hs := c.batch()
	return refusedStale(exec(c.pgx().SendBatch(ctx, b), b.Len()), hs)
}

// commitHeld sends the held statements and the COMMIT in one round trip,
// on ctx, the transaction's. When a statement fails the server skips the
// COMMIT: the transaction is rolled back (the connection closed if that
// fails) and the statement's error is Commit's.
//
// The statements' own context may end meanwhile (a caller's cancellation
// while a statement waits for a lock): the server is then asked to cancel
// what it runs, again until the batch returns, as a statement sent at once
// would have been cancelled. The statement fails and the COMMIT is
// skipped, or the COMMIT has run: the outcome is known either way, and the
// connection stays usable, where closing it would leave the COMMIT,
// already sent, in doubt.
func (c *conn) commitHeld(ctx context.Context) error {
	sctx := c.heldCtx
	b, hs := c.batch()
	b.Queue("commit")
	pc := c.pgx()
	var err error
	if sctx.Err() != nil {
		// Ended before anything was sent: the statements fail as they
		// would have at once.
		err = context.Cause(sctx)
	} else {
		stop := cancelWhenDone(sctx, pc.PgConn())
		err = refusedStale(exec(pc.SendBatch(ctx, b), b.Len()), hs)
		if stop() && err != nil {
			err = fmt.Errorf("%w: %w", context.Cause(sctx), err)
		}
	}
	if err != nil && !pc.IsClosed() && pc.PgConn().TxStatus() != 'I' {
		// The COMMIT did not run: end the transaction, as pgx's Commit
		// does on an error, or give up the connection.
		if _, rerr := pc.Exec(ctx, "rollback"); rerr != nil || pc.PgConn().TxStatus() != 'I' {
			_ = pc.Close(ctx)
		}
	}
	return err
}

// cancelWhenDone sends a cancel request for pg's running statement when
// ctx ends, and again every cancelRepeat until stop is called: the server
// ignores a request that finds it waiting for input (the batch still on
// its way, overtaken by the request's own connection, or between two of
// its messages), and the statement would then run, or wait for a lock,
// as long as it takes. stop waits for a request under way and reports
// whether one was sent.
func cancelWhenDone(ctx context.Context, pg *pgconn.PgConn) (stop func() bool) {
	if ctx.Done() == nil {
		return func() bool { return false }
	}
	halt, sent := make(chan struct{}), make(chan struct{})
	stopWatch := context.AfterFunc(ctx, func() {
		defer close(sent)
		for {
			cctx, cancel := context.WithTimeout(context.Background(), cancelTimeout)
			_ = pg.CancelRequest(cctx)
			cancel()
			select {
			case <-halt:
				return
			case <-time.After(cancelRepeat):
			}
		}
	})
	return func() bool {
		if stopWatch() {
			return false
		}
		close(halt)
		<-sent
		return true
	}
}

// exec reads the n results of a batch: the first error (a constraint
// violation as a [*ConstraintError]), or pgx's ErrTxCommitRollback when the
// last statement, a COMMIT, rolled back.
func exec(br pgx.BatchResults, n int) error {
	var tag pgconn.CommandTag
	var err error
	for i := 0; i < n && err == nil; i++ {
		tag, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	if ce := constraintError(err); ce != nil {
		return ce // as GORM's Exec would have reported it
	}
	return err
}
