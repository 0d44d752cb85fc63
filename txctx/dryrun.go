package txctx

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"gorm.io/gorm"
)

// On a connection in DryRun mode (gorm.Config.DryRun, or a Session with
// DryRun), GORM builds statements without sending them. txctx follows:
// Run, RunNew and the middleware's transaction take no connection and send
// nothing (no BEGIN, SAVEPOINT, RELEASE, COMMIT or ROLLBACK, no PRAGMA),
// while fn runs as it would in a transaction: DB(ctx) is a DryRun session,
// nested Runs are savepoints that exist only in txctx, a nil error from fn
// "commits" (AfterCommit callbacks run) and an error "rolls back"
// (AfterRollback callbacks run). Under WithTx (and so txtest) the
// transaction is the caller's, begun by GORM, which sends BEGIN even under
// DryRun; txctx's own savepoints in it are not sent.
//
// dryTx stands for the transaction's connection: everything txctx sends
// through it is dropped.
type dryTx struct{ t *txn }

var _ gorm.Tx = (*dryTx)(nil)

// isDryRun reports whether db builds statements without sending them.
func isDryRun(db *gorm.DB) bool { return db.Config != nil && db.DryRun }

// beginDry begins a transaction that exists only in txctx.
func (t *txn) beginDry(ctx context.Context) {
	tx := t.conn.Session(&gorm.Session{Context: ctx, NewDB: true})
	t.base, t.pool = tx, &dryTx{t: t}
	t.owned = guard(t, t.pool)
	tx.Statement.ConnPool = t.owned
}

// ExecContext implements gorm.ConnPool: nothing is sent.
func (*dryTx) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return driver.RowsAffected(0), nil
}

// PrepareContext implements gorm.ConnPool. GORM prepares nothing under
// DryRun.
func (*dryTx) PrepareContext(context.Context, string) (*sql.Stmt, error) {
	return nil, gorm.ErrDryRunModeUnsupported
}

// QueryContext implements gorm.ConnPool. GORM queries nothing under DryRun.
func (*dryTx) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, gorm.ErrDryRunModeUnsupported
}

// QueryRowContext implements gorm.ConnPool. GORM queries nothing under
// DryRun (its Row returns no *sql.Row there either).
func (*dryTx) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

// StmtContext implements gorm.Tx.
func (*dryTx) StmtContext(_ context.Context, stmt *sql.Stmt) *sql.Stmt { return stmt }

// Commit implements gorm.TxCommitter: nothing to commit.
func (*dryTx) Commit() error { return nil }

// Rollback implements gorm.TxCommitter: nothing to roll back.
func (*dryTx) Rollback() error { return nil }
