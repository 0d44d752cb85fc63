package hooks

import (
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/entities"
)

// settingUpdate carries an [updateState] from buildSet to afterUpdate.
const settingUpdate = "gormext:hooks:update"

// updateState is what buildSet leaves for afterUpdate.
type updateState struct {
	pl *plan
	// check is true when the update carries WHERE version = version.
	check   bool
	version int64
	// save is true for Save (Select("*") on the model itself): a Version of
	// 0 that matches no row lets GORM fall back to a create.
	save bool
	// noop is true for an update that writes nothing (see skipNoOp); dest
	// is then the caller's Dest, put back after gorm:update.
	noop bool
	dest any
}

// checkUpdate runs before any SQL (before BEGIN): it refuses every update of
// an immutable model, and validates what the update writes. UpdateColumn(s)
// (SkipHooks) are not validated, as GORM runs no hook methods for them.
func (p *Plugin) checkUpdate(db *gorm.DB) {
	stmt := db.Statement
	pl := p.statementPlan(db)
	if pl == nil || !pl.entity {
		return
	}
	if pl.immutable {
		_ = db.AddError(immutableError(pl, "update"))
		return
	}
	if !stmt.SkipHooks && p.validates(pl) {
		p.validateUpdate(db, pl)
	}
}

// validateUpdate validates the fields an update writes: the whole struct
// for Save, the non-zero (or selected) fields of a struct, the named
// columns of a map.
func (p *Plugin) validateUpdate(db *gorm.DB, pl *plan) {
	stmt := db.Statement
	switch dest := stmt.Dest.(type) {
	case map[string]any:
		p.validateMap(db, pl, selectedKeys(stmt, dest), -1)
		return
	case *map[string]any:
		p.validateMap(db, pl, selectedKeys(stmt, *dest), -1)
		return
	}
	dv := reflect.ValueOf(stmt.Dest)
	for dv.Kind() == reflect.Pointer && !dv.IsNil() {
		dv = dv.Elem()
	}
	if dv.Kind() != reflect.Struct {
		return
	}
	if dv.Type() != stmt.Schema.ModelType {
		p.validateMap(db, pl, otherStructColumns(stmt, dv), -1)
		return
	}
	if !dv.CanAddr() {
		cp := reflect.New(dv.Type())
		cp.Elem().Set(dv)
		dv = cp.Elem()
	}
	paths, all := writtenPaths(stmt, pl, dv)
	if all {
		p.validateRow(db, pl, dv, -1)
		return
	}
	p.validatePartial(db, pl, dv.Addr().Interface(), paths)
}

// selectedKeys returns the entries of an update map that Select and Omit
// let through (m itself when there is neither).
func selectedKeys(stmt *gorm.Statement, m map[string]any) map[string]any {
	if len(stmt.Selects) == 0 && len(stmt.Omits) == 0 {
		return m
	}
	selected, restricted := stmt.SelectAndOmitColumns(false, true)
	out := make(map[string]any, len(m))
	for k, v := range m {
		name := k
		if f := stmt.Schema.LookUpField(k); f != nil && f.DBName != "" {
			name = f.DBName
		}
		if s, ok := selected[name]; (ok && s) || (!ok && !restricted) {
			out[k] = v
		}
	}
	return out
}

// otherStructColumns reads an update given as a struct of another type
// (db.Model(&user).Updates(form)) as GORM does: by column name, non-zero or
// selected fields only.
func otherStructColumns(stmt *gorm.Statement, dv reflect.Value) map[string]any {
	other := &gorm.Statement{DB: stmt.DB}
	if err := other.Parse(stmt.Dest); err != nil {
		return nil
	}
	selected, restricted := stmt.SelectAndOmitColumns(false, true)
	out := make(map[string]any)
	for _, f := range other.Schema.Fields {
		if f.DBName == "" || stmt.Schema.LookUpField(f.DBName) == nil {
			continue
		}
		s, ok := selected[f.DBName]
		v, zero := f.ValueOf(stmt.Context, dv)
		if (ok && s) || (!ok && !restricted && !zero) {
			out[f.DBName] = v
		}
	}
	return out
}

// buildSet runs just before "gorm:update", after the model's hook methods:
// it builds the SET clause as GORM would, then drops CreatedAt, writes
// UpdatedAt from the clock, and turns Version into version + 1 with a
// WHERE on the version in memory.
func (p *Plugin) buildSet(db *gorm.DB) {
	stmt := db.Statement
	pl := p.statementPlan(db)
	if pl == nil || stmt.SQL.Len() != 0 || !pl.entity || (pl.updatedAt == nil && pl.createdAt == nil && pl.version == nil) ||
		(stmt.SkipHooks && pl.version == nil) {
		return // nothing to change: GORM builds the SET clause
	}
	if _, ok := stmt.Clauses["SET"]; ok {
		return
	}
	set := callbacks.ConvertToAssignments(stmt)
	if db.Error != nil {
		return
	}
	if !isSave(stmt) && !writesColumn(stmt, pl, set) {
		skipNoOp(stmt, pl)
		return
	}
	if !stmt.SkipHooks {
		set = withoutColumn(set, pl.createdAt)
		set = p.touch(stmt, pl, set)
	}
	st := updateState{pl: pl}
	if pl.version != nil {
		set = bumpVersion(stmt, pl, set, &st)
	}
	if len(set) == 0 {
		return // nothing to write: GORM sends no UPDATE
	}
	stmt.AddClause(set)
	stmt.Settings.Store(settingUpdate, st)
}

// writesColumn reports whether set writes a column the caller asked for:
// one of the model's own, or UpdatedAt or Version named by an update map.
// CreatedAt, which an update never writes, and the UpdatedAt and Version of
// a struct, which the plugin writes itself, do not count.
func writesColumn(stmt *gorm.Statement, pl *plan, set clause.Set) bool {
	for _, a := range set {
		f := pl.schema.LookUpField(a.Column.Name)
		switch {
		case f == nil || f != pl.createdAt && f != pl.updatedAt && f != pl.version:
			return true
		case f != pl.createdAt && mapNames(stmt.Dest, f):
			return true
		}
	}
	return false
}

// skipNoOp makes GORM send nothing for an update that writes none of the
// caller's columns (Updates with a zero struct or an empty map, every field
// omitted): Version and UpdatedAt stay as they are, in the row and in
// memory, RowsAffected is 0 and there is no error, as GORM does for a
// model without automatic columns. GORM builds the SET clause again from
// Dest, so Dest is an empty map until afterUpdate puts the caller's back.
func skipNoOp(stmt *gorm.Statement, pl *plan) {
	stmt.Settings.Store(settingUpdate, updateState{pl: pl, noop: true, dest: stmt.Dest})
	stmt.Dest = map[string]any{}
}

// touch writes UpdatedAt from the clock, unless it is explicitly omitted or
// a map update sets it itself; the model in memory gets the same value.
func (p *Plugin) touch(stmt *gorm.Statement, pl *plan, set clause.Set) clause.Set {
	f := pl.updatedAt
	if f == nil || omitted(stmt, f) {
		return set
	}
	i := columnIndex(set, f.DBName)
	if i >= 0 && mapNames(stmt.Dest, f) {
		return set
	}
	now := p.now()
	if i >= 0 {
		set[i].Value = now
	} else {
		set = append(set, clause.Assignment{Column: clause.Column{Name: f.DBName}, Value: now})
	}
	if rowType(stmt.ReflectValue) == pl.modelType {
		forEachRow(stmt.ReflectValue, func(row reflect.Value) {
			*fieldPtr[time.Time](stmt.Context, f, row) = now
		})
	}
	return set
}

// bumpVersion replaces any assignment of Version with version + 1 and, when
// the version of the row is known, adds WHERE version = <in memory>.
func bumpVersion(stmt *gorm.Statement, pl *plan, set clause.Set, st *updateState) clause.Set {
	name := pl.version.DBName
	set = withoutColumn(set, pl.version)
	set = append(set, clause.Assignment{
		Column: clause.Column{Name: name},
		Value:  clause.Expr{SQL: "? + 1", Vars: []any{clause.Column{Name: name}}},
	})
	rv := stmt.ReflectValue
	if rv.Kind() != reflect.Struct || rv.Type() != pl.modelType {
		return set
	}
	v, _ := pl.version.ValueOf(stmt.Context, rv)
	version, _ := v.(int64)
	st.save = isSave(stmt)
	if version == 0 && !st.save {
		return set // a statement-level update: no version to check
	}
	st.check, st.version = true, version
	stmt.AddClause(clause.Where{Exprs: []clause.Expression{
		clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: name}, Value: version},
	}})
	return set
}

// afterUpdate runs right after the UPDATE, inside GORM's transaction: it
// removes the SET clause buildSet added (as GORM removes its own), turns a
// version-checked update that matched no row into a *StaleEntityError, and
// leaves the new version in the struct after a successful one.
func (p *Plugin) afterUpdate(db *gorm.DB) {
	v, ok := db.Statement.Settings.LoadAndDelete(settingUpdate)
	if !ok {
		return
	}
	delete(db.Statement.Clauses, "SET")
	st := v.(updateState)
	if st.noop {
		db.Statement.Dest = st.dest
		return
	}
	if db.Error != nil || db.DryRun || !st.check {
		return
	}
	if db.RowsAffected == 0 {
		if st.save && st.version == 0 {
			return // Save goes on with a create (see rewriteUpsert)
		}
		_ = db.AddError(&entities.StaleEntityError{Model: st.pl.name, Table: st.pl.table, Version: st.version})
		return
	}
	if rv := db.Statement.ReflectValue; rv.Kind() == reflect.Struct && rv.CanAddr() && rv.Type() == st.pl.modelType {
		*fieldPtr[int64](db.Statement.Context, st.pl.version, rv) = st.version + 1
	}
}

// isSave reports whether the update is GORM's Save of a struct: every
// column of the model itself.
func isSave(stmt *gorm.Statement) bool {
	return len(stmt.Selects) == 1 && stmt.Selects[0] == "*" && len(stmt.Omits) == 0 && stmt.Dest == stmt.Model
}

// omitted reports whether the statement explicitly omits field f.
func omitted(stmt *gorm.Statement, f *schema.Field) bool {
	if len(stmt.Omits) == 0 {
		return false
	}
	selected, _ := stmt.SelectAndOmitColumns(false, true)
	v, ok := selected[f.DBName]
	return ok && !v
}

// mapNames reports whether an update map sets field f itself.
func mapNames(dest any, f *schema.Field) bool {
	switch m := dest.(type) {
	case map[string]any:
		return hasKey(m, f)
	case *map[string]any:
		return hasKey(*m, f)
	}
	return false
}

func columnIndex(set clause.Set, name string) int {
	for i, a := range set {
		if a.Column.Name == name && (a.Column.Table == "" || a.Column.Table == clause.CurrentTable) {
			return i
		}
	}
	return -1
}

// withoutColumn drops the assignments of field f (nil: none) from set.
func withoutColumn(set clause.Set, f *schema.Field) clause.Set {
	if f == nil {
		return set
	}
	out := set[:0]
	for _, a := range set {
		if a.Column.Name != f.DBName {
			out = append(out, a)
		}
	}
	return out
}

// forEachRow calls fn with every addressable struct row of rv.
func forEachRow(rv reflect.Value, fn func(row reflect.Value)) {
	switch rv.Kind() {
	case reflect.Struct:
		if rv.CanAddr() {
			fn(rv)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			if row := reflect.Indirect(rv.Index(i)); row.Kind() == reflect.Struct && row.CanAddr() {
				fn(row)
			}
		}
	}
}

// autoUpdateValue is GORM's value for a field with autoUpdateTime.
func autoUpdateValue(stmt *gorm.Statement, kind schema.TimeType) any {
	now := stmt.DB.NowFunc()
	switch kind {
	case schema.UnixNanosecond:
		return now.UnixNano()
	case schema.UnixMillisecond:
		return now.UnixMilli()
	case schema.UnixSecond:
		return now.Unix()
	}
	return now
}
