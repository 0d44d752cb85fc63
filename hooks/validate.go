package hooks

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormext/gormext/entities"
)

// validates reports whether rows of pl are validated at all.
func (p *Plugin) validates(pl *plan) bool {
	return p.cfg.validate != nil && (pl.validate || p.customValidator)
}

// validateRow validates a whole addressable row; index is its position in
// a slice, or -1.
func (p *Plugin) validateRow(db *gorm.DB, pl *plan, row reflect.Value, index int) bool {
	if !p.validates(pl) {
		return true
	}
	if p.ownValidator && pl.fastOK && fastValid(pl.fast, row) {
		return true
	}
	var err error
	if len(pl.relations) > 0 {
		err = p.cfg.validate.StructExceptCtx(db.Statement.Context, row.Addr().Interface(), pl.relations...)
	} else {
		err = p.cfg.validate.StructCtx(db.Statement.Context, row.Addr().Interface())
	}
	return report(db, pl, index, err)
}

// validatePartial validates only the named fields (validator namespaces
// below the model) of the struct behind ptr.
func (p *Plugin) validatePartial(db *gorm.DB, pl *plan, ptr any, paths []string) bool {
	if !p.validates(pl) || len(paths) == 0 {
		return true
	}
	err := p.cfg.validate.StructPartialCtx(db.Statement.Context, ptr, paths...)
	return report(db, pl, -1, err)
}

// validateMap validates the columns a map names, on a copy of the
// statement's model (or a zero model) with the map's values set. Values
// that are SQL expressions, and columns the model does not have, are
// skipped: the database computes them.
func (p *Plugin) validateMap(db *gorm.DB, pl *plan, m map[string]any, index int) bool {
	if !p.validates(pl) {
		return true
	}
	stmt := db.Statement
	row := modelCopy(stmt)
	paths := make([]string, 0, len(m))
	for k, v := range m {
		f := stmt.Schema.LookUpField(k)
		if f == nil || f.DBName == "" || isExpression(v) {
			continue
		}
		if err := f.Set(stmt.Context, row.Elem(), v); err != nil {
			continue // GORM reports the type mismatch when it writes
		}
		if path, ok := pl.paths[f.DBName]; ok {
			paths = append(paths, path)
		}
	}
	if len(paths) == 0 {
		return true
	}
	err := p.cfg.validate.StructPartialCtx(stmt.Context, row.Interface(), paths...)
	return report(db, pl, index, err)
}

// modelCopy returns a pointer to a copy of the statement's model row, or to
// a zero model when the statement has no single model row.
func modelCopy(stmt *gorm.Statement) reflect.Value {
	row := reflect.New(stmt.Schema.ModelType)
	mv := reflect.ValueOf(stmt.Model)
	for mv.Kind() == reflect.Pointer && !mv.IsNil() {
		mv = mv.Elem()
	}
	if mv.IsValid() && mv.Type() == stmt.Schema.ModelType {
		row.Elem().Set(mv)
	}
	return row
}

// isExpression reports whether v is computed by the database (gorm.Expr,
// a clause expression, a subquery) rather than a Go value to validate.
func isExpression(v any) bool {
	switch v.(type) {
	case clause.Expression, *gorm.DB, []any:
		return true
	}
	return false
}

// report adds a validation failure to db.
func report(db *gorm.DB, pl *plan, index int, err error) bool {
	if err == nil {
		return true
	}
	name := pl.name
	if index >= 0 {
		name = fmt.Sprintf("%s[%d]", pl.name, index)
	}
	_ = db.AddError(&entities.ValidationError{Model: name, Err: err})
	return false
}

// writtenPaths returns the validator namespaces of the fields of a struct
// update that will be written: with a restricting Select, the selected
// ones; otherwise the non-zero ones that are not omitted. For Save
// (Select("*")) every field is written and all returns true.
func writtenPaths(stmt *gorm.Statement, pl *plan, row reflect.Value) (paths []string, all bool) {
	selected, restricted := stmt.SelectAndOmitColumns(false, true)
	if !restricted && len(stmt.Omits) == 0 && len(stmt.Selects) == 1 && stmt.Selects[0] == "*" {
		return nil, true
	}
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || f.PrimaryKey {
			continue
		}
		v, ok := selected[f.DBName]
		if ok && !v {
			continue
		}
		if !ok {
			if restricted {
				continue
			}
			if _, zero := f.ValueOf(stmt.Context, row); zero {
				continue
			}
		}
		if path, has := pl.paths[f.DBName]; has {
			paths = append(paths, path)
		}
	}
	return paths, false
}
