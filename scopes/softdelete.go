package scopes

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

var deletedAtType = reflect.TypeFor[gorm.DeletedAt]()

// WithDeleted returns a scope that includes soft-deleted rows (GORM's
// Unscoped for queries).
func WithDeleted() func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		db.Statement.Unscoped = true
		return db
	}
}

// OnlyDeleted returns a scope that selects soft-deleted rows only. The model
// must have a gorm.DeletedAt field (entities.SoftDeletableEntity); without
// one the query fails with ErrInvalidFilter.
func OnlyDeleted() func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		s, err := modelSchema(db)
		if err != nil {
			_ = db.AddError(err)
			return db
		}
		f := deletedAtField(s)
		if f == nil {
			_ = db.AddError(invalid("OnlyDeleted: the model %s has no gorm.DeletedAt field", s.Name))
			return db
		}
		db.Statement.Unscoped = true
		col := clause.Column{Table: clause.CurrentTable, Name: f.DBName}
		andWhere(db, []clause.Expression{isNullExpr(col, false)})
		return db
	}
}

func deletedAtField(s *schema.Schema) *schema.Field {
	for _, f := range s.Fields {
		if f.FieldType == deletedAtType && f.DBName != "" {
			return f
		}
	}
	return nil
}
