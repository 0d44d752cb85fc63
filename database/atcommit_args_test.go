package database_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/atcommit"
)

// TestAtCommitArgumentBytesOfANamedType: a held statement's argument of a
// byte slice type of its own (json.RawMessage) is copied as a []byte is:
// the caller may reuse its buffer once Exec has returned, and the COMMIT
// still writes what Exec was given.
func TestAtCommitArgumentBytesOfANamedType(t *testing.T) {
	db := oneConn(t)
	if _, err := db.Exec("CREATE TABLE j (doc jsonb)"); err != nil {
		t.Fatal(err)
	}
	ctx := atcommit.CommitNext(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := json.RawMessage(`{"n": 1}`)
	if _, err := tx.ExecContext(ctx, database.AtCommit+"INSERT INTO j VALUES ($1)", buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, `{"n": 2}`) // the caller's buffer, reused
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.QueryRow("SELECT doc::text FROM j").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != `{"n": 1}` {
		t.Fatalf("stored %s, want what Exec was given: {\"n\": 1}", got)
	}
}
