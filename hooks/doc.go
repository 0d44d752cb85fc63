// Package hooks is the GORM plugin behind the entity structs of package
// [github.com/gormext/gormext/entities].
//
//	db.Use(hooks.New())
//
// It registers GORM callbacks, not hook methods, so it works whatever
// BeforeCreate, BeforeSave or BeforeUpdate methods a model defines.
package hooks
