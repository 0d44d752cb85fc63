package scopes

import (
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/joins"
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
		if errors.Is(err, schema.ErrUnsupportedDataType) {
			return nil, invalid("no model to check columns against: the query reads into %T, which is not a model; use db.Model(&T{}) or Find(&[]T{})", model)
		}
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

// keyColumn resolves a column a filter, sort or search names: "name", a
// column of the model, or "Assoc.name", a column of the model's
// belongs-to or has-one association Assoc, as the join GORM's
// Joins("Assoc") builds aliases it. assoc is "" for the model's own
// columns. The error says what is wrong, for the caller to prefix.
func keyColumn(s *schema.Schema, name string) (col clause.Column, assoc string, err error) {
	assoc, dbName, joined := strings.Cut(name, ".")
	if !joined {
		f := column(s, name)
		if f == nil {
			return col, "", errors.New("the model " + s.Name + " has no column " + quote(name))
		}
		return clause.Column{Table: clause.CurrentTable, Name: f.DBName}, "", nil
	}
	_, f, err := joins.Column(s, assoc, dbName)
	if err != nil {
		return col, "", err
	}
	return clause.Column{Table: assoc, Name: f.DBName}, assoc, nil
}

// joinAssoc makes db join assoc, when a condition uses one of its
// columns and the query does not join it yet: a LEFT JOIN, as
// db.Joins(assoc) builds it.
func joinAssoc(db *gorm.DB, assoc string) {
	if assoc != "" {
		joins.Ensure(db, assoc)
	}
}
