package database_test

import (
	"context"
	"testing"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/atcommit"
)

// TestAtCommitPreparedStatementAfterSchemaChange: a prepared statement
// (GORM's PrepareStmt, database/sql's Prepare) held for the COMMIT and
// refused there for a stale plan after a migration fails that commit, as
// a statement sent at once fails its transaction; it prepares afresh
// before its next use, so the next transaction commits.
func TestAtCommitPreparedStatementAfterSchemaChange(t *testing.T) {
	db := oneConn(t)
	stmt, err := db.Prepare(database.AtCommit + "INSERT INTO t VALUES ($1) RETURNING *")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	ctx := atcommit.CommitNext(context.Background())
	commit := func(id int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, id); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	if err := commit(1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("ALTER TABLE t ADD COLUMN note text"); err != nil {
		t.Fatal(err)
	}
	err = commit(2)
	if err != nil && !database.IsStalePlan(err) {
		t.Fatalf("first commit after the migration: %v", err)
	}
	for id := 3; id < 5; id++ {
		if err := commit(id); err != nil {
			t.Fatalf("commit %d after the migration: %v; want the statement prepared afresh", id, err)
		}
	}
}
