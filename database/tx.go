package database

import (
	"context"
	"database/sql/driver"
)

// pgTx is a pgx transaction whose Commit sends the statements held back
// for it (see [AtCommit]) in the same round trip as the COMMIT, and whose
// Rollback drops them. database/sql calls them under the connection's
// lock, as every other method of the connection.
type pgTx struct {
	driver.Tx
	conn *conn
	ctx  context.Context // BeginTx's, which pgx's own Commit uses too
}

func (t *pgTx) Commit() error {
	c := t.conn
	c.tx = nil
	if len(c.held) == 0 {
		return t.Tx.Commit()
	}
	return c.commitHeld(t.ctx)
}

func (t *pgTx) Rollback() error {
	c := t.conn
	c.tx, c.held, c.heldCtx = nil, nil, nil
	return t.Tx.Rollback()
}
