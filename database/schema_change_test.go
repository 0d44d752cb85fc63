package database_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
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
