package txctx_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// sqliteLockCase is a RunNew that cannot take SQLite's write lock.
type sqliteLockCase struct {
	name     string
	file     bool   // a file (WAL, BEGIN IMMEDIATE), else the in-memory database
	outer    string // what the outer transaction does first: "", "read", "write"
	outside  bool   // RunNew is called with a context outside the transaction
	poolWait time.Duration
	advice   string // a phrase the error's advice must hold
}

// Whatever the mode and whatever the pool wait, a RunNew that cannot take
// SQLite's write lock fails with ErrWriteLocked alone (not ErrPoolExhausted:
// the pool has free connections; not ErrCommit) and its advice is true for
// the case: inside a transaction RunNew cannot write on SQLite at all once
// the outer transaction holds a lock, WAL or not.
func TestRunNewSQLiteLockClassification(t *testing.T) {
	const busy = 150 * time.Millisecond
	inside := "call RunNew before or after the outer transaction, or record the work with AfterCommit/AfterRollback"
	var cases []sqliteLockCase
	for _, pw := range []time.Duration{0, busy / 3} {
		cases = append(cases,
			sqliteLockCase{name: "memory/outer read", outer: "read", poolWait: pw, advice: inside},
			sqliteLockCase{name: "memory/outer wrote", outer: "write", poolWait: pw, advice: inside},
			sqliteLockCase{name: "file/outer begun", file: true, poolWait: pw, advice: inside},
			sqliteLockCase{name: "file/outer read", file: true, outer: "read", poolWait: pw, advice: inside},
			sqliteLockCase{name: "file/outer wrote", file: true, outer: "write", poolWait: pw, advice: inside},
		)
	}
	cases = append(cases,
		sqliteLockCase{name: "memory/another transaction", outer: "write", outside: true, advice: "keep write transactions short"},
		sqliteLockCase{name: "file/another transaction", file: true, outside: true, advice: "keep write transactions short"},
	)
	for _, c := range cases {
		name := c.name
		if c.poolWait > 0 {
			name += "/pool wait shorter than the busy timeout"
		}
		t.Run(name, func(t *testing.T) {
			db := openSQLiteMode(t, c.file, busy)
			base := bind(t, db)
			var newErr error
			err := txctx.Run(base, func(ctx context.Context) error {
				if err := outerFirst(ctx, c.outer); err != nil {
					return err
				}
				var opts []txctx.Option
				if c.poolWait > 0 {
					opts = append(opts, txctx.WithPoolWait(c.poolWait))
				}
				from := ctx
				if c.outside {
					from = base // another goroutine's RunNew, say
				}
				newErr = txctx.RunNew(from, func(ctx context.Context) error { return insert(ctx, "audit") }, opts...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(newErr, txctx.ErrWriteLocked) {
				t.Fatalf("RunNew err = %v, want ErrWriteLocked", newErr)
			}
			for _, not := range []error{txctx.ErrPoolExhausted, txctx.ErrCommit, context.Canceled} {
				if errors.Is(newErr, not) {
					t.Errorf("RunNew err = %v, must not match %v", newErr, not)
				}
			}
			msg := newErr.Error()
			if strings.Contains(msg, "WAL") || !strings.Contains(msg, c.advice) {
				t.Errorf("RunNew err = %q, want the advice %q and no WAL suggestion", msg, c.advice)
			}
			if got := names(t, db); len(got) > 0 && got[0] == "audit" {
				t.Errorf("rows = %q: the refused RunNew wrote", got)
			}
			wantPoolIdle(t, db)
		})
	}
}

// openSQLiteMode opens the in-memory database or a file with busy as the
// busy timeout.
func openSQLiteMode(t *testing.T, file bool, busy time.Duration) *gorm.DB {
	t.Helper()
	if !file {
		return testdb.Open(t, testdb.SQLite, testdb.WithConfig(func(c *database.Config) { c.BusyTimeout = busy }))
	}
	db, err := database.Open(context.Background(), database.Config{URL: "sqlite:///" + t.TempDir() + "/app.db", BusyTimeout: busy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s, _ := db.DB(); _ = s.Close() })
	return db
}

func outerFirst(ctx context.Context, what string) error {
	switch what {
	case "read":
		var n int64
		return txctx.DB(ctx).Model(&item{}).Count(&n).Error
	case "write":
		return insert(ctx, "outer")
	}
	return nil
}
