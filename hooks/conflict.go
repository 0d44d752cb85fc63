package hooks

import (
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// resolveConflicts runs after a create with ON CONFLICT of entity rows
// (structs, not maps). A row the database did not insert keeps the UUID the
// plugin generated for it, which no row has; this puts in each row the
// entity fields (ID, CreatedAt, UpdatedAt, Version, DeletedAt) of the row
// that is stored under its conflict key instead, or a zero ID when no row
// is found.
//
// It costs nothing when the answer is already known: a conflict target
// that is the primary key (GORM's UpdateAll default, Save, has-one and
// has-many associations) leaves the stored row's key in the struct, and a
// DO NOTHING that inserted every row changed nothing. Otherwise it reads
// the stored rows back with one SELECT by the conflict keys, in the
// statement's transaction.
func (p *Plugin) resolveConflicts(db *gorm.DB, oc clause.OnConflict) {
	stmt := db.Statement
	pl := p.statementPlan(db)
	if pl == nil || !pl.entity || pl.id == nil || db.DryRun {
		return
	}
	keys := pl.conflictKeys(oc)
	if isPrimaryKey(stmt.Schema, keys) {
		return
	}
	rows := entityRows(stmt.ReflectValue, pl.modelType)
	if len(rows) == 0 || (oc.DoNothing && db.RowsAffected >= int64(len(rows)) && !hasReturning(stmt)) {
		return
	}
	stored, err := readStored(db, pl, keys, rows, oc)
	if err != nil {
		for _, row := range rows { // no ID that no row may have
			*fieldPtr[uuid.UUID](stmt.Context, pl.id, row) = uuid.Nil
		}
		_ = db.AddError(fmt.Errorf("hooks: reading back the %s rows of an upsert: %w", pl.name, err))
		return
	}
	stored.apply(rows)
}

// hasReturning reports whether GORM sent the create with RETURNING (a model
// with database defaults): it then counts scanned rows, not inserted ones.
func hasReturning(stmt *gorm.Statement) bool {
	_, ok := stmt.Clauses["RETURNING"]
	return ok
}

// conflictKeys are the column sets under which a row of this create may
// already be stored: the conflict target when the clause names columns of
// the model, otherwise (DO NOTHING without a target, ON CONSTRAINT) the
// primary key followed by every unique key of the model.
func (pl *plan) conflictKeys(oc clause.OnConflict) [][]*schema.Field {
	if len(oc.Columns) == 0 || oc.OnConstraint != "" {
		return pl.uniqueKeys()
	}
	key := make([]*schema.Field, 0, len(oc.Columns))
	for _, c := range oc.Columns {
		f := pl.schema.LookUpField(c.Name)
		if f == nil || f.DBName == "" {
			return pl.uniqueKeys()
		}
		key = append(key, f)
	}
	return [][]*schema.Field{key}
}

// uniqueKeys lists the primary key, then each unique column and each
// unique index without a WHERE (a partial index does not identify a row
// alone), computed once per model.
func (pl *plan) uniqueKeys() [][]*schema.Field {
	pl.uniqueOnce.Do(func() {
		s := pl.schema
		keys := [][]*schema.Field{s.PrimaryFields}
		for _, f := range s.Fields {
			if f.Unique && f.DBName != "" && !f.PrimaryKey {
				keys = append(keys, []*schema.Field{f})
			}
		}
		for _, idx := range s.ParseIndexes() {
			if key := indexKey(idx); key != nil {
				keys = append(keys, key)
			}
		}
		pl.unique = keys
	})
	return pl.unique
}

// indexKey is the columns of a unique index made of plain columns, or nil.
func indexKey(idx *schema.Index) []*schema.Field {
	if idx.Class != "UNIQUE" || idx.Where != "" || len(idx.Fields) == 0 {
		return nil
	}
	key := make([]*schema.Field, 0, len(idx.Fields))
	for _, o := range idx.Fields {
		if o.Field == nil || o.Expression != "" || o.DBName == "" {
			return nil
		}
		key = append(key, o.Field)
	}
	return key
}

// isPrimaryKey reports whether keys is exactly the primary key.
func isPrimaryKey(s *schema.Schema, keys [][]*schema.Field) bool {
	if len(keys) != 1 || len(keys[0]) != len(s.PrimaryFields) {
		return false
	}
	for i, f := range keys[0] {
		if f != s.PrimaryFields[i] {
			return false
		}
	}
	return true
}

// entityRows lists the addressable rows of the model type in rv.
func entityRows(rv reflect.Value, model reflect.Type) []reflect.Value {
	switch rv.Kind() {
	case reflect.Struct:
		if rv.Type() == model && rv.CanAddr() {
			return []reflect.Value{rv}
		}
	case reflect.Slice, reflect.Array:
		rows := make([]reflect.Value, 0, rv.Len())
		for i := 0; i < rv.Len(); i++ {
			row := reflect.Indirect(rv.Index(i))
			if row.Kind() == reflect.Struct && row.Type() == model && row.CanAddr() {
				rows = append(rows, row)
			}
		}
		return rows
	}
	return nil
}

// storedRows are the rows read back, indexed per conflict key by the
// values of its columns.
type storedRows struct {
	ctx   contextValue
	pl    *plan
	keys  [][]*schema.Field
	index []map[string]int // per key: values → position in rows, -1 when ambiguous
	rows  reflect.Value    // a []Model
}

// readStored selects the entity fields and key columns of every stored row
// that shares a conflict key with one of rows, in the statement's
// connection (its transaction), without the soft-delete filter (a
// soft-deleted row still holds its keys). The SELECT takes no row lock:
// on PostgreSQL a locking read needs the UPDATE privilege, which a role
// that only inserts into an append-only table (an audit log, an inbox)
// does not have. A row deleted by another transaction before this one
// references it fails the reference loudly (a foreign-key violation).
func readStored(db *gorm.DB, pl *plan, keys [][]*schema.Field, rows []reflect.Value, oc clause.OnConflict) (*storedRows, error) {
	stmt := db.Statement
	ctx := contextValue{stmt}
	var ors []clause.Expression
	for _, key := range keys {
		if cond := keyCondition(ctx, key, rows); cond != nil {
			ors = append(ors, cond)
		}
	}
	found := reflect.New(reflect.SliceOf(pl.modelType))
	if len(ors) > 0 {
		where := []clause.Expression{clause.Or(ors...)}
		if len(oc.Columns) > 0 {
			where = append(where, oc.TargetWhere.Exprs...)
		}
		tx := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Unscoped().
			Table(stmt.Table).Select(selectColumns(pl, keys)).Where(clause.Where{Exprs: where}).Find(found.Interface())
		if tx.Error != nil {
			return nil, tx.Error
		}
	}
	return indexStored(ctx, pl, keys, found.Elem()), nil
}

// contextValue reads field values with the statement's context.
type contextValue struct{ stmt *gorm.Statement }

// key returns the values of key's columns in row as one comparable string,
// and false when one of them is NULL (NULLs never conflict).
func (c contextValue) key(key []*schema.Field, row reflect.Value) (string, bool) {
	var b strings.Builder
	for _, f := range key {
		v, _ := f.ValueOf(c.stmt.Context, row)
		s, ok := keyString(v)
		if !ok {
			return "", false
		}
		b.WriteString(s)
		b.WriteByte(0)
	}
	return b.String(), true
}

// keyString renders a key value so that the value in the struct and the
// value read back compare equal: through driver.Valuer (a UUID as its
// text), times in UTC.
func keyString(v any) (string, bool) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "", false
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return "", false
	}
	v = rv.Interface()
	if val, ok := v.(driver.Valuer); ok {
		dv, err := val.Value()
		if err != nil || dv == nil {
			return "", false
		}
		v = dv
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), true
	case []byte:
		return string(x), true
	}
	return fmt.Sprint(v), true
}

// keyCondition matches the stored rows sharing key with one of rows:
// key IN (...) for one column, (a = ? AND b = ?) OR ... for several.
func keyCondition(c contextValue, key []*schema.Field, rows []reflect.Value) clause.Expression {
	if len(key) == 1 {
		values := make([]any, 0, len(rows))
		for _, row := range rows {
			if _, ok := c.key(key, row); ok {
				v, _ := key[0].ValueOf(c.stmt.Context, row)
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			return nil
		}
		return clause.IN{Column: clause.Column{Name: key[0].DBName}, Values: values}
	}
	var ors []clause.Expression
	for _, row := range rows {
		if _, ok := c.key(key, row); !ok {
			continue
		}
		ands := make([]clause.Expression, len(key))
		for i, f := range key {
			v, _ := f.ValueOf(c.stmt.Context, row)
			ands[i] = clause.Eq{Column: clause.Column{Name: f.DBName}, Value: v}
		}
		ors = append(ors, clause.And(ands...))
	}
	if len(ors) == 0 {
		return nil
	}
	return clause.Or(ors...)
}

// selectColumns are the entity fields and the columns of every key.
func selectColumns(pl *plan, keys [][]*schema.Field) []string {
	var cols []string
	seen := map[string]bool{}
	add := func(f *schema.Field) {
		if f != nil && f.DBName != "" && !seen[f.DBName] {
			seen[f.DBName] = true
			cols = append(cols, f.DBName)
		}
	}
	for _, f := range pl.entityFields() {
		add(f)
	}
	for _, key := range keys {
		for _, f := range key {
			add(f)
		}
	}
	return cols
}

// entityFields are the plugin's fields of the model, nil where absent.
func (pl *plan) entityFields() [5]*schema.Field {
	return [5]*schema.Field{pl.id, pl.createdAt, pl.updatedAt, pl.version, pl.deletedAt}
}

func indexStored(c contextValue, pl *plan, keys [][]*schema.Field, found reflect.Value) *storedRows {
	s := &storedRows{ctx: c, pl: pl, keys: keys, index: make([]map[string]int, len(keys)), rows: found}
	for k, key := range keys {
		s.index[k] = make(map[string]int, found.Len())
		for i := 0; i < found.Len(); i++ {
			v, ok := c.key(key, found.Index(i))
			if !ok {
				continue
			}
			if _, dup := s.index[k][v]; dup {
				s.index[k][v] = -1 // two stored rows under one value: no answer
				continue
			}
			s.index[k][v] = i
		}
	}
	return s
}

// apply gives each row the entity fields of the stored row found under its
// first matching key, or a zero ID when none is found.
func (s *storedRows) apply(rows []reflect.Value) {
	ctx := s.ctx.stmt.Context
	for _, row := range rows {
		at := s.find(row)
		if at < 0 {
			*fieldPtr[uuid.UUID](ctx, s.pl.id, row) = uuid.Nil
			continue
		}
		rec := s.rows.Index(at)
		for _, f := range s.pl.entityFields() {
			if f != nil {
				f.ReflectValueOf(ctx, row).Set(f.ReflectValueOf(ctx, rec))
			}
		}
	}
}

// find returns the position of row's stored row, or -1.
func (s *storedRows) find(row reflect.Value) int {
	for k, key := range s.keys {
		v, ok := s.ctx.key(key, row)
		if !ok {
			continue
		}
		if at, ok := s.index[k][v]; ok && at >= 0 {
			return at
		}
	}
	return -1
}
