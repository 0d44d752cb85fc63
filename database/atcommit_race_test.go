package database_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/gormext/gormext/database"
)

// TestAtCommitAbandonedTransaction: the context of a transaction with a
// held statement ends while Commit is called: database/sql rolls back
// from a goroutine of its own. Whichever wins, Commit returns nil only if
// the row is stored, and the pool's one connection comes back idle,
// holding nothing.
func TestAtCommitAbandonedTransaction(t *testing.T) {
	db := oneConn(t)
	for i := range 200 {
		ctx, cancel := cancellableCommitNext()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, database.AtCommit+"INSERT INTO t VALUES ($1)", i); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		go cancel()
		err = tx.Commit()
		cancel()
		var n int
		if qerr := db.QueryRow("SELECT count(*) FROM t WHERE id = $1", i).Scan(&n); qerr != nil {
			t.Fatalf("round %d: the pool after Commit (%v): %v", i, err, qerr)
		}
		// An error may be in doubt (the COMMIT interrupted on its way
		// back), but success must mean stored.
		if err == nil && n != 1 {
			t.Fatalf("round %d: Commit returned nil and %d row is stored", i, n)
		}
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, sql.ErrTxDone) {
			t.Fatalf("round %d: Commit: %v", i, err)
		}
		// A held statement left behind would run in the next transaction.
		tx2, err := db.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx2.QueryRow("SELECT count(*) FROM t WHERE id = $1", i).Scan(&n); err != nil || n > 1 {
			t.Fatalf("round %d: %v, %d rows", i, err, n)
		}
		if err := tx2.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
}
