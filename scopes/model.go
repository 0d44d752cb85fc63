package scopes

import (
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// modelSchema returns the parsed schema of the model the statement queries
// (its Model, or its Dest when it has none), through GORM's schema cache, so
// each type is parsed once. It fails when the statement has no model: with
// only Table("...") columns cannot be checked.
func modelSchema(db *gorm.DB) (*schema.Schema, error) {
	stmt := db.Statement
	model := stmt.Model
	if model == nil {
		model = stmt.Dest
	}
	if model == nil {
		return nil, invalid("no model to check columns against: use db.Model(&T{}) or Find(&[]T{})")
	}
	if err := stmt.Parse(model); err != nil {
		return nil, invalid("cannot read the model's columns: %v", err)
	}
	return stmt.Schema, nil
}

// column returns the field named by a database column name of s.
func column(s *schema.Schema, name string) *schema.Field {
	f, ok := s.FieldsByDBName[name]
	if !ok {
		return nil
	}
	return f
}
