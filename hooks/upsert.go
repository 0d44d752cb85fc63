package hooks

import (
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormext/gormext/entities"
)

// settingUpsert is the statement setting that carries an [upsertCheck]
// from beforeCreate to afterCreate.
const settingUpsert = "gormext:hooks:upsert"

// upsertCheck is what afterCreate verifies after a versioned upsert turned
// into ON CONFLICT DO NOTHING: that every row was inserted.
type upsertCheck struct {
	rows    int64
	version int64
	pl      *plan
}

// rewriteUpsert adjusts ON CONFLICT (UpdateAll) for entity models, which
// GORM's Save uses for slices and for a struct whose preset ID matched no
// row:
//
//   - a versioned model never overwrites a row blindly: the upsert becomes
//     ON CONFLICT DO NOTHING and a row that already existed makes the
//     statement fail with a *StaleEntityError (see afterCreate);
//   - otherwise the update list is GORM's, minus CreatedAt, which an
//     update never writes.
//
// Creates from maps are left as they are.
func (f *filler) rewriteUpsert() {
	stmt, pl := f.db.Statement, f.pl
	c, ok := stmt.Clauses["ON CONFLICT"]
	if !ok {
		return
	}
	oc, ok := c.Expression.(clause.OnConflict)
	if !ok {
		return
	}
	if !oc.UpdateAll && len(oc.DoUpdates) > 0 && pl.version != nil {
		oc.DoUpdates = bumpStoredVersion(oc.DoUpdates, pl)
		stmt.AddClause(oc)
		return
	}
	if !oc.UpdateAll || (pl.version == nil && pl.createdAt == nil) {
		return
	}
	rows := int64(1)
	switch rv := stmt.ReflectValue; rv.Kind() {
	case reflect.Struct:
	case reflect.Slice, reflect.Array:
		rows = int64(rv.Len())
	default:
		return
	}
	if len(oc.Columns) == 0 {
		for _, pf := range stmt.Schema.PrimaryFields {
			oc.Columns = append(oc.Columns, clause.Column{Name: pf.DBName})
		}
	}
	oc.UpdateAll = false
	if pl.version != nil {
		oc.DoNothing, oc.DoUpdates = true, nil
		stmt.Settings.Store(settingUpsert, upsertCheck{rows: rows, version: f.version, pl: pl})
	} else {
		oc.DoUpdates = append(oc.DoUpdates, upsertAssignments(stmt, pl)...)
		oc.DoNothing = len(oc.DoUpdates) == 0
	}
	stmt.AddClause(oc)
}

// bumpStoredVersion makes an explicit ON CONFLICT DO UPDATE of a versioned
// model an update like any other: the stored row's version + 1 (replacing
// any assignment of Version), so every copy read before becomes stale.
func bumpStoredVersion(set clause.Set, pl *plan) clause.Set {
	name := pl.version.DBName
	// A copy: the caller's clause (perhaps a shared variable) is not changed.
	set = withoutColumn(append(make(clause.Set, 0, len(set)+1), set...), pl.version)
	return append(set, clause.Assignment{
		Column: clause.Column{Name: name},
		Value:  clause.Expr{SQL: "? + 1", Vars: []any{clause.Column{Table: clause.CurrentTable, Name: name}}},
	})
}

// upsertAssignments is GORM's UpdateAll column list (every inserted column
// but the primary key, columns with a database default and auto-create
// times) without the entity's CreatedAt. Auto-update times of the model's
// own fields get GORM's clock, as GORM does.
func upsertAssignments(stmt *gorm.Statement, pl *plan) []clause.Assignment {
	selectCreate, restrictedCreate := stmt.SelectAndOmitColumns(true, false)
	selectUpdate, restrictedUpdate := stmt.SelectAndOmitColumns(true, true)
	var cols []string
	var set []clause.Assignment
	for _, name := range stmt.Schema.DBNames {
		f := stmt.Schema.FieldsByDBName[name]
		if f.HasDefaultValue && f.DefaultValueInterface == nil {
			continue // not inserted
		}
		if v, ok := selectCreate[name]; !((ok && v) || (!ok && (!restrictedCreate || f.AutoCreateTime > 0 || f.AutoUpdateTime > 0))) {
			continue // not inserted
		}
		if v, ok := selectUpdate[name]; !((ok && v) || (!ok && !restrictedUpdate)) {
			continue
		}
		if f.PrimaryKey || f.AutoCreateTime > 0 || f == pl.createdAt ||
			(f.HasDefaultValue && f.DefaultValueInterface == nil && !strings.EqualFold(f.DefaultValue, "NULL")) {
			continue
		}
		if f.AutoUpdateTime > 0 {
			set = append(set, clause.Assignment{Column: clause.Column{Name: name}, Value: autoUpdateValue(stmt, f.AutoUpdateTime)})
			continue
		}
		cols = append(cols, name)
	}
	return append(set, clause.AssignmentColumns(cols)...)
}

// afterCreate runs right after an upsert's INSERT, inside GORM's
// transaction: it fails a versioned upsert that found an existing row (so
// the rows it did insert are rolled back), and otherwise gives every row
// the ID of the row that is stored (see resolveConflicts).
func (p *Plugin) afterCreate(db *gorm.DB) {
	c, ok := db.Statement.Clauses["ON CONFLICT"]
	if !ok {
		return // no upsert: nothing to do
	}
	v, ok := db.Statement.Settings.LoadAndDelete(settingUpsert)
	if db.Error != nil || db.DryRun {
		return
	}
	if !ok {
		if oc, isOC := c.Expression.(clause.OnConflict); isOC {
			p.resolveConflicts(db, oc)
		}
		return
	}
	chk := v.(upsertCheck)
	if db.RowsAffected >= chk.rows {
		return
	}
	if rv := db.Statement.ReflectValue; rv.Kind() == reflect.Struct && rv.CanAddr() && rv.Type() == chk.pl.modelType {
		*fieldPtr[int64](db.Statement.Context, chk.pl.version, rv) = chk.version
	}
	_ = db.AddError(&entities.StaleEntityError{Model: chk.pl.name, Table: chk.pl.table, Version: chk.version})
}
