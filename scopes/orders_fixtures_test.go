package scopes_test

import (
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// schemaOf parses model through db's schema cache.
func schemaOf(t *testing.T, db *gorm.DB, model any) *schema.Schema {
	t.Helper()
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		t.Fatal(err)
	}
	return stmt.Schema
}
