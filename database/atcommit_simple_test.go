package database_test

import (
	"context"
	"testing"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/atcommit"
)

// TestAtCommitLineCommentInSimpleProtocol: in pgx's simple_protocol mode
// the statements of a batch travel as one text; a held statement ending
// with a line comment must not comment out the statements after it, nor
// the COMMIT.
func TestAtCommitLineCommentInSimpleProtocol(t *testing.T) {
	db := execModeDB(t, "simple_protocol")
	ctx := atcommit.CommitNext(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		database.AtCommit + "INSERT INTO t VALUES ($1) -- the first",
		database.AtCommit + "INSERT INTO t VALUES ($1)",
	} {
		if _, err := tx.ExecContext(ctx, stmt, len(stmt)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	wantRows(t, db, 2, "rows")
}
