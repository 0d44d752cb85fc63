package txctx

import (
	"database/sql"

	"gorm.io/gorm"
)

// The session DB(ctx) returns inside Run carries the transaction's
// connection wrapped in ownedTx, so that GORM's Commit and Rollback on it
// are refused with ErrManualTxControl before anything is sent: the
// transaction belongs to Run, which commits or rolls back when fn returns.
// Everything else goes through to the *sql.Tx (or GORM's PreparedStmtTX)
// unchanged:
//
//   - ownedTx is a gorm.Tx and a gorm.TxCommitter, so GORM's Transaction on
//     the session is a savepoint, as it is on a plain transaction;
//   - it is no TxBeginner, so Begin fails with gorm.ErrInvalidTransaction,
//     and GORM's default transaction around a Create is skipped, as on a
//     plain transaction;
//   - under PrepareStmt it sits inside the PreparedStmtTX, so statements
//     are prepared as before, and SavePoint/RollbackTo, which unwrap the
//     PreparedStmtTX, reach it.
//
// It lives in the txn, set once per transaction: DB(ctx) costs no
// allocation more, and neither does Run.
type ownedTx struct {
	gorm.Tx
	t *txn
}

// Commit implements gorm.TxCommitter: refused.
func (o *ownedTx) Commit() error { return ErrManualTxControl }

// Rollback implements gorm.TxCommitter: refused.
func (o *ownedTx) Rollback() error { return ErrManualTxControl }

// GetDBConn implements gorm.GetDBConnector, so that DB() on the session
// returns the *sql.DB, as it does on a plain transaction.
func (o *ownedTx) GetDBConn() (*sql.DB, error) { return o.t.conn.DB() }

// guard wraps the connection of a transaction Run owns; pool is what
// GORM's Begin returned.
func guard(t *txn, pool gorm.ConnPool) gorm.ConnPool {
	switch p := pool.(type) {
	case *gorm.PreparedStmtTX:
		t.guard = ownedTx{Tx: p.Tx, t: t}
		return &gorm.PreparedStmtTX{Tx: &t.guard, PreparedStmtDB: p.PreparedStmtDB}
	case gorm.Tx:
		t.guard = ownedTx{Tx: p, t: t}
		return &t.guard
	}
	return pool
}
