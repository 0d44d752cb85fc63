package migrate

import (
	"context"
	"database/sql"
	"errors"

	"gorm.io/gorm"
)

// run executes one section of mg inside t: its statements one by one, or
// its Go function.
func (m *Migrator) run(ctx context.Context, t *txn, mg *Migration, direction string) error {
	fail := func(i int, st Statement, err error) error {
		return &MigrationError{Version: mg.Version, Source: mg.Source, Direction: direction,
			Index: i, Line: st.Line, Statement: st.SQL, Err: err}
	}
	if mg.IsGo() {
		fn := mg.Up
		if direction == "down" {
			fn = mg.Down
		}
		if err := fn(ctx, m.gormOn(ctx, t.ex)); err != nil {
			return fail(0, Statement{}, err)
		}
		return nil
	}
	stmts := mg.UpSQL
	if direction == "down" {
		stmts = mg.DownSQL
	}
	for i, st := range stmts {
		if _, err := t.ex.ExecContext(ctx, st.SQL); err != nil {
			return fail(i+1, st, err)
		}
	}
	return nil
}

// gormOn is a *gorm.DB whose statements run on the migration's
// transaction. GORM sees a connection that is already in a transaction
// (it has Commit and Rollback), so it opens none of its own, and nested
// Transaction calls become savepoints.
func (m *Migrator) gormOn(ctx context.Context, ex execQuerier) *gorm.DB {
	tx := m.db.Session(&gorm.Session{NewDB: true, Context: ctx})
	tx.Statement.ConnPool = inTx{ex}
	return tx
}

// errRunnerOwnsTx is what a Go migration gets when it tries to end the
// migration's transaction itself.
var errRunnerOwnsTx = errors.New("migrate: the migration's transaction is committed or rolled back by the runner; return an error to roll back")

type inTx struct{ execQuerier }

func (inTx) Commit() error   { return errRunnerOwnsTx }
func (inTx) Rollback() error { return errRunnerOwnsTx }

var _ gorm.ConnPool = inTx{}
var _ execQuerier = (*sql.Tx)(nil)
