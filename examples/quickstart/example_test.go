package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/gormext/gormext/database"
)

// Example runs the tour on in-memory SQLite, as `go run
// ./examples/quickstart` does, and prints the title of each step.
func Example() {
	var out bytes.Buffer
	if err := run(context.Background(), &out, database.Config{URL: "sqlite::memory:"}); err != nil {
		fmt.Println("tour failed:", err)
		return
	}
	lines := bufio.NewScanner(&out)
	for lines.Scan() {
		if line := lines.Text(); line != "" && !strings.HasPrefix(line, " ") {
			fmt.Println(line)
		}
	}
	// Output:
	// gormext quickstart: a guided tour (clock starts at 2026-01-05T09:00:00Z)
	// 1. Tables
	// 2. Entities: UUIDv7 keys and timestamps
	// 3. Validation: a bad row never reaches the database
	// 4. Immutable entities: an audit log
	// 5. Filters, sorting and pages
	// 6. txctx.Run: a savepoint rolls back, the outer transaction commits
	// 7. txctx.AfterCommit: publish an event only after the commit
	// 8. txctx.RunNew and AfterRollback: the audit log survives a rollback
	// done: every step ran on one database, bound once with txctx.WithDB.
}
