package entities

import (
	"reflect"

	"gorm.io/gorm"
)

// SoftDeletableEntity gives a model a DeletedAt column: Delete then sets it
// instead of removing the row, and queries skip rows where it is set (GORM's
// soft delete). Unscoped() sees them; [Restore] clears the mark.
type SoftDeletableEntity struct {
	DeletedAt gorm.DeletedAt `gorm:"index" json:"deleted_at" validate:"-"`
}

var deletedAtType = reflect.TypeFor[gorm.DeletedAt]()

// reflectIndirect dereferences model down to its struct value.
func reflectIndirect(model any) reflect.Value {
	rv := reflect.ValueOf(model)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	return rv
}
