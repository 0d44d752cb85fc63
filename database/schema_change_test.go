package database_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// schemaChangeTable is this file's table.
const schemaChangeTable = "gx_schema_change"

type beforeChange struct {
	ID   int64
	Name string
}

type afterChange struct {
	ID   int64
	Name string
	Note string
}

// schemaChangePaths are the pool calls a statement outside a transaction
// takes: each must read the table's new shape once a migration has changed
// it, although the same SQL ran on the connection before.
// after tells the call whether the note column exists yet.
var schemaChangePaths = map[string]func(db *gorm.DB, after bool) (afterChange, error){
	"Find (QueryContext)": func(db *gorm.DB, _ bool) (afterChange, error) {
		var got afterChange
		err := db.Table(schemaChangeTable).Where("name = ?", "a").Find(&got).Error
		return got, err
	},
	"Row (QueryRowContext)": func(db *gorm.DB, after bool) (afterChange, error) {
		var got afterChange
		row := db.Table(schemaChangeTable).Where("name = ?", "a").Row()
		if err := row.Err(); err != nil {
			return got, err
		}
		cols := []any{&got.ID, &got.Name}
		if after {
			cols = append(cols, &got.Note)
		}
		return got, row.Scan(cols...)
	},
	"Exec (ExecContext)": func(db *gorm.DB, after bool) (afterChange, error) {
		var got afterChange
		err := db.Exec("UPDATE "+schemaChangeTable+" SET name = name WHERE name = ? RETURNING *", "a").Error
		if err != nil || !after {
			return got, err
		}
		err = db.Raw("SELECT id, name, note FROM " + schemaChangeTable).Scan(&got).Error
		return got, err
	},
}

// TestStatementAfterSchemaChange runs the same statement before and after
// an ALTER TABLE that changes what SELECT * returns. PostgreSQL refuses to
// run a statement prepared (and cached by pgx) before the change ("cached
// plan must not change result type"); a statement outside a transaction
// has not run when that error comes, and is run again on a fresh plan.
func TestStatementAfterSchemaChange(t *testing.T) {
	for name, run := range schemaChangePaths {
		t.Run(name, func(t *testing.T) {
			testdb.Run(t, func(t *testing.T, db *gorm.DB) {
				db = db.Table(schemaChangeTable)
				if err := db.AutoMigrate(&beforeChange{}); err != nil {
					t.Fatal(err)
				}
				if err := db.Create(&beforeChange{ID: 1, Name: "a"}).Error; err != nil {
					t.Fatal(err)
				}
				for range 2 { // pgx prepares and caches the statement
					if _, err := run(db.Session(&gorm.Session{NewDB: true}), false); err != nil {
						t.Fatalf("before the change: %v", err)
					}
				}
				if err := db.Exec("ALTER TABLE " + schemaChangeTable + " ADD COLUMN note text NOT NULL DEFAULT 'n'").Error; err != nil {
					t.Fatal(err)
				}
				got, err := run(db.Session(&gorm.Session{NewDB: true}), true)
				if err != nil {
					t.Fatalf("after ALTER TABLE: %v", err)
				}
				if want := (afterChange{ID: 1, Name: "a", Note: "n"}); got != want {
					t.Fatalf("after ALTER TABLE read %+v, want %+v", got, want)
				}
			}, testdb.WithConfig(poolOfOne))
		})
	}
}

// TestTransactionAfterSchemaChangeRetried: in a transaction the refusal of
// a stale cached plan aborts the transaction, so it is the caller's error;
// txctx's retry with database.IsStalePlan runs the transaction again, and
// the second attempt reads the new shape.
func TestTransactionAfterSchemaChangeRetried(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.Table(schemaChangeTable).AutoMigrate(&beforeChange{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Table(schemaChangeTable).Create(&beforeChange{ID: 1, Name: "a"}).Error; err != nil {
			t.Fatal(err)
		}
		ctx := txctx.WithDB(context.Background(), db)
		find := func(ctx context.Context, dst any) error {
			return txctx.DB(ctx).Table(schemaChangeTable).Where("name = ?", "a").Find(dst).Error
		}
		for range 2 { // pgx prepares and caches the statement
			if err := txctx.Run(ctx, func(ctx context.Context) error { return find(ctx, &beforeChange{}) }); err != nil {
				t.Fatalf("before the change: %v", err)
			}
		}
		if err := db.Exec("ALTER TABLE " + schemaChangeTable + " ADD COLUMN note text NOT NULL DEFAULT 'n'").Error; err != nil {
			t.Fatal(err)
		}
		var got afterChange
		err := txctx.Run(ctx, func(ctx context.Context) error { return find(ctx, &got) },
			txctx.WithRetry(2), txctx.WithRetryIf(database.IsStalePlan))
		if err != nil {
			t.Fatalf("after ALTER TABLE: %v", err)
		}
		if want := (afterChange{ID: 1, Name: "a", Note: "n"}); got != want {
			t.Fatalf("after ALTER TABLE read %+v, want %+v", got, want)
		}
	}, testdb.WithConfig(poolOfOne))
}

func TestIsStalePlan(t *testing.T) {
	stale := &pgconn.PgError{Code: "0A000", Message: "cached plan must not change result type"}
	for name, c := range map[string]struct {
		err  error
		want bool
	}{
		"the refusal":             {stale, true},
		"wrapped":                 {fmt.Errorf("find: %w", stale), true},
		"another 0A000":           {&pgconn.PgError{Code: "0A000", Message: "cannot lock rows"}, false},
		"another code":            {&pgconn.PgError{Code: "42P01", Message: stale.Message}, false},
		"the message, no PgError": {errors.New(stale.Message), false},
		"nil":                     {nil, false},
	} {
		if got := database.IsStalePlan(c.err); got != c.want {
			t.Errorf("%s: IsStalePlan = %v, want %v", name, got, c.want)
		}
	}
}

// TestPreparedStatementAfterSchemaChange: with GORM's PrepareStmt the
// statement is prepared once per connection and kept; PostgreSQL refuses
// it for good once the table's shape changed, so it must be prepared
// again, not only run again.
func TestPreparedStatementAfterSchemaChange(t *testing.T) {
	prepared := func(c *database.Config) {
		poolOfOne(c)
		c.GORM = func(g *gorm.Config) { g.PrepareStmt = true }
	}
	for name, run := range schemaChangePaths {
		t.Run(name, func(t *testing.T) {
			testdb.Run(t, func(t *testing.T, db *gorm.DB) {
				if db.Dialector.Name() == "sqlite" {
					t.Skip("SQLite recompiles a prepared statement itself; its first read after the change has the old columns (docs/configuration.md)")
				}
				if err := db.Table(schemaChangeTable).AutoMigrate(&beforeChange{}); err != nil {
					t.Fatal(err)
				}
				if err := db.Table(schemaChangeTable).Create(&beforeChange{ID: 1, Name: "a"}).Error; err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if _, err := run(db, false); err != nil {
						t.Fatalf("before the change: %v", err)
					}
				}
				if err := db.Exec("ALTER TABLE " + schemaChangeTable + " ADD COLUMN note text NOT NULL DEFAULT 'n'").Error; err != nil {
					t.Fatal(err)
				}
				for i := range 2 { // the statement stays usable, not just once
					got, err := run(db, true)
					if err != nil {
						t.Fatalf("call %d after ALTER TABLE: %v", i+1, err)
					}
					if want := (afterChange{ID: 1, Name: "a", Note: "n"}); got != want {
						t.Fatalf("call %d after ALTER TABLE read %+v, want %+v", i+1, got, want)
					}
				}
			}, testdb.WithConfig(prepared))
		})
	}
}

// TestPreparedStatementInTransactionAfterSchemaChange: with PrepareStmt, a
// statement GORM prepared outside a transaction is used in one after the
// change. The refusal aborts the transaction; run again whole, the
// transaction must find the statement prepared anew, not refused again.
func TestPreparedStatementInTransactionAfterSchemaChange(t *testing.T) {
	prepared := func(c *database.Config) {
		poolOfOne(c)
		c.GORM = func(g *gorm.Config) { g.PrepareStmt = true }
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if db.Dialector.Name() == "sqlite" {
			t.Skip("SQLite recompiles a prepared statement itself; its first read after the change has the old columns (docs/configuration.md)")
		}
		if err := db.Table(schemaChangeTable).AutoMigrate(&beforeChange{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Table(schemaChangeTable).Create(&beforeChange{ID: 1, Name: "a"}).Error; err != nil {
			t.Fatal(err)
		}
		ctx := txctx.WithDB(context.Background(), db)
		find := func(dst any) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				return txctx.DB(ctx).Table(schemaChangeTable).Where("name = ?", "a").Find(dst).Error
			}
		}
		for range 2 { // prepared outside a transaction, kept by GORM
			if err := find(&beforeChange{})(ctx); err != nil {
				t.Fatalf("before the change: %v", err)
			}
		}
		if err := db.Exec("ALTER TABLE " + schemaChangeTable + " ADD COLUMN note text NOT NULL DEFAULT 'n'").Error; err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			var got afterChange
			err := txctx.Run(ctx, find(&got), txctx.WithRetry(2), txctx.WithRetryIf(database.IsStalePlan))
			if err != nil {
				t.Fatalf("transaction %d after ALTER TABLE: %v", i+1, err)
			}
			if want := (afterChange{ID: 1, Name: "a", Note: "n"}); got != want {
				t.Fatalf("transaction %d after ALTER TABLE read %+v, want %+v", i+1, got, want)
			}
		}
	}, testdb.WithConfig(prepared))
}
