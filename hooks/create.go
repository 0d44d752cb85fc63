package hooks

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// beforeCreate fills ID, CreatedAt, UpdatedAt and Version of every row a
// create writes, then validates the rows. It runs on every create path:
// Create of a struct, a slice, a slice of pointers or an array,
// CreateInBatches, Save of a new row, and the upsert Save falls back to
// (which GORM runs with SkipHooks; SkipHooks is about hook methods, so it is
// ignored here).
func (p *Plugin) beforeCreate(db *gorm.DB) {
	stmt := db.Statement
	pl := p.statementPlan(db)
	if pl == nil || !pl.entity {
		return
	}
	if onConflictUpdates(stmt) && pl.immutable {
		_ = db.AddError(immutableError(pl, "upsert (Save or ON CONFLICT DO UPDATE)"))
		return
	}
	f := filler{p: p, pl: pl, db: db, now: p.now()}
	if k := stmt.ReflectValue.Kind(); k == reflect.Slice || k == reflect.Array {
		// Save of a slice: GORM's upsert writes every row.
		_, f.track = stmt.Settings.Load("gorm:update_track_time")
	}
	if !f.fillDest() {
		return
	}
	f.rewriteUpsert()
}

// filler sets the entity fields of the rows of one create.
type filler struct {
	p     *Plugin
	pl    *plan
	db    *gorm.DB
	now   time.Time
	track bool // Save of a slice: every row is written, UpdatedAt is now
	// version is the Version a single row had before the create set it.
	version int64
}

// fillDest fills and validates every row of the statement's Dest; it
// reports false when it added an error.
func (f *filler) fillDest() bool {
	stmt := f.db.Statement
	switch dest := stmt.Dest.(type) {
	case map[string]any:
		return f.fillSingleMap(dest)
	case *map[string]any:
		return f.fillSingleMap(*dest)
	case []map[string]any:
		return f.fillMaps(dest)
	case *[]map[string]any:
		return f.fillMaps(*dest)
	}
	rv := stmt.ReflectValue
	if rowType(rv) != f.pl.modelType {
		return true // a Dest of another type than the model: GORM's business
	}
	switch rv.Kind() {
	case reflect.Struct:
		if !rv.CanAddr() {
			rv = f.addressableCopy(rv)
		}
		return f.fillRow(rv, -1)
	case reflect.Slice, reflect.Array:
		if !rv.CanAddr() && rv.Kind() == reflect.Array {
			rv = f.addressableCopy(rv)
		}
		for i := 0; i < rv.Len(); i++ {
			row := reflect.Indirect(rv.Index(i))
			if row.Kind() != reflect.Struct {
				continue // nil pointer: GORM reports it
			}
			if !f.fillRow(row, i) {
				return false
			}
		}
	}
	return true
}

// addressableCopy replaces a Dest passed by value (db.Create(T{...})) with a
// pointer to a copy, so that its fields can be set. The caller's value does
// not see them, as GORM's own fields of a by-value Dest are not seen either.
func (f *filler) addressableCopy(rv reflect.Value) reflect.Value {
	ptr := reflect.New(rv.Type())
	ptr.Elem().Set(rv)
	f.db.Statement.Dest = ptr.Interface()
	f.db.Statement.ReflectValue = ptr.Elem()
	return ptr.Elem()
}

// fillRow sets the entity fields of one addressable row and validates it.
// index is the row's position in a slice, -1 for a single row.
func (f *filler) fillRow(row reflect.Value, index int) bool {
	pl, ctx := f.pl, f.db.Statement.Context
	if pl.id != nil {
		if id := fieldPtr[uuid.UUID](ctx, pl.id, row); *id == uuid.Nil {
			v, ok := f.newID()
			if !ok {
				return false
			}
			*id = v
		}
	}
	track := f.track
	if pl.createdAt != nil {
		created := fieldPtr[time.Time](ctx, pl.createdAt, row)
		// A new row's UpdatedAt is its CreatedAt, even when an update
		// attempt (Save's first try) already touched it.
		track = track || created.IsZero()
		setTime(created, f.now, false)
	}
	if pl.updatedAt != nil {
		setTime(fieldPtr[time.Time](ctx, pl.updatedAt, row), f.now, track)
	}
	if pl.version != nil {
		v := fieldPtr[int64](ctx, pl.version, row)
		if index < 0 {
			f.version = *v
		}
		if *v == 0 {
			*v = 1
		}
	}
	return f.p.validateRow(f.db, pl, row, index)
}

// newID calls the ID generator; a failure, or a nil UUID, is the
// statement's error.
func (f *filler) newID() (uuid.UUID, bool) {
	v, err := f.p.cfg.newID()
	if err == nil && v == uuid.Nil {
		err = errNilID
	}
	if err != nil {
		_ = f.db.AddError(fmt.Errorf("hooks: generating the ID of a new %s: %w", f.pl.name, err))
		return uuid.Nil, false
	}
	return v, true
}

var errNilID = errors.New("the ID generator returned the nil UUID")

// setTime sets *t to now when it is zero (or always, with force), and
// otherwise normalises it to UTC microseconds.
func setTime(t *time.Time, now time.Time, force bool) {
	if force || t.IsZero() {
		*t = now
		return
	}
	*t = t.UTC().Truncate(time.Microsecond)
}

// fieldPtr returns a pointer to field f of the addressable struct row.
func fieldPtr[T any](ctx context.Context, f *schema.Field, row reflect.Value) *T {
	return f.ReflectValueOf(ctx, row).Addr().Interface().(*T)
}

// fillMaps fills every map of a []map[string]any create into a new slice
// of copies: neither the caller's slice nor its maps are changed.
func (f *filler) fillMaps(rows []map[string]any) bool {
	filled := make([]map[string]any, len(rows))
	for i, m := range rows {
		cp, ok := f.fillMap(m, i)
		if !ok {
			return false
		}
		filled[i] = cp
	}
	f.db.Statement.Dest = filled
	return true
}

// fillSingleMap fills a map[string]any create into a copy.
func (f *filler) fillSingleMap(m map[string]any) bool {
	cp, ok := f.fillMap(m, -1)
	if ok {
		f.db.Statement.Dest = cp
	}
	return ok
}

// fillMap returns a copy of m with the entity columns a map create leaves
// out, and validates the columns it names.
func (f *filler) fillMap(m map[string]any, index int) (map[string]any, bool) {
	cp := make(map[string]any, len(m)+4)
	for k, v := range m {
		cp[k] = v
	}
	pl := f.pl
	if pl.id != nil && !hasKey(cp, pl.id) {
		v, ok := f.newID()
		if !ok {
			return nil, false
		}
		cp[pl.id.DBName] = v
	}
	for _, fld := range []*schema.Field{pl.createdAt, pl.updatedAt} {
		if fld != nil && !hasKey(cp, fld) {
			cp[fld.DBName] = f.now
		}
	}
	if pl.version != nil && !hasKey(cp, pl.version) {
		cp[pl.version.DBName] = int64(1)
	}
	return cp, f.p.validateMap(f.db, pl, cp, index)
}

// hasKey reports whether a map create names field f, by Go or column name.
func hasKey(m map[string]any, f *schema.Field) bool {
	if _, ok := m[f.DBName]; ok {
		return true
	}
	_, ok := m[f.Name]
	return ok
}

// onConflictUpdates reports whether the create is an upsert that may update
// an existing row (Save of a slice, Save's fallback for a struct with a
// preset ID, or an explicit ON CONFLICT DO UPDATE).
func onConflictUpdates(stmt *gorm.Statement) bool {
	c, ok := stmt.Clauses["ON CONFLICT"]
	if !ok {
		return false
	}
	oc, ok := c.Expression.(clause.OnConflict)
	return ok && (oc.UpdateAll || len(oc.DoUpdates) > 0)
}

// rowType is the struct type of the rows in rv (a struct, or a slice or
// array of structs or pointers to them), or nil.
func rowType(rv reflect.Value) reflect.Type {
	if !rv.IsValid() {
		return nil
	}
	t := rv.Type()
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
