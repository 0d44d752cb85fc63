package scopes

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// MaxInValues is the most values an in or not_in filter accepts.
const MaxInValues = 1000

// Filter returns a scope that applies the filter struct f: one condition per
// field tagged `filter:"column,op"`, ANDed and kept in parentheses (the
// query's earlier conditions become a parenthesised group of their own, so
// Where(a).Or(b) and filter c give (a OR b) AND c), with every value bound
// and every column checked against the model's GORM schema and quoted by the
// dialect.
//
// Operators: eq (the default when op is left out), ne, gt, gte, lt, lte, in
// and not_in (slice fields), contains, icontains, startswith, endswith
// (string fields, matched literally: %, _ and \ in the value are escapes,
// not wildcards), isnull (a bool field: true is IS NULL, false IS NOT NULL).
// contains, startswith and endswith are case-sensitive on every database;
// icontains is case-insensitive (see docs/querying.md for non-ASCII text on
// SQLite). An empty column name in the tag takes the field's column name.
//
// A tag may name a column of a belongs-to or has-one association,
// filter:"Customer.email,icontains": the condition is on "Customer"."email",
// the alias GORM's Joins("Customer") gives the joined table, and when the
// query does not join Customer yet the scope adds db.Joins("Customer") (a
// LEFT JOIN; call InnerJoins("Customer") yourself to drop rows without
// one). Columns of has-many and many-to-many associations are refused:
// their joins repeat rows.
//
// A field is skipped when it is a nil pointer, an empty slice, or a non-
// pointer zero value (0, "", false): use a pointer where the zero value is a
// real filter (age = 0, isnull = false). Untagged fields are ignored, and
// untagged embedded structs are searched for tagged fields.
//
// A column the model (or the association) lacks, a bad tag, an in list
// longer than MaxInValues, a string with a NUL byte or invalid UTF-8 add an
// error matching ErrInvalidFilter to the query, which then sends no SQL.
// The last three come from the client: they are [*ParamError]s named by
// the field's form tag (as Decode reads it), else its json tag, else its
// column.
func Filter(f any) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		exprs, err := filterExprs(db, f)
		if err != nil {
			_ = db.AddError(err)
			return db
		}
		andWhere(db, exprs)
		return db
	}
}

// filterExprs builds the conditions of the filter struct f.
func filterExprs(db *gorm.DB, f any) ([]clause.Expression, error) {
	v := reflect.ValueOf(f)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, invalid("Filter needs a struct or a pointer to one, not %T", f)
	}
	s, err := modelSchema(db)
	if err != nil {
		return nil, err
	}
	spec := specOf(v.Type())
	if spec.err != nil {
		return nil, spec.err
	}
	return buildAll(db, s, spec.fields, v)
}

func buildAll(db *gorm.DB, s *schema.Schema, fields []filterField, v reflect.Value) ([]clause.Expression, error) {
	exprs := make([]clause.Expression, 0, len(fields))
	for _, ff := range fields {
		val, ok := fieldValue(v, ff.index)
		if !ok {
			continue
		}
		e, err := buildOne(db, s, ff, val)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, e)
	}
	return exprs, nil
}

// fieldValue returns the field's value with pointers followed, and false
// when the field is to be skipped: a nil pointer on the way, an empty slice,
// or a non-pointer zero value.
func fieldValue(v reflect.Value, index []int) (reflect.Value, bool) {
	fv, err := v.FieldByIndexErr(index)
	if err != nil {
		return fv, false
	}
	if fv.Kind() == reflect.Slice {
		return fv, fv.Len() > 0
	}
	if fv.Kind() != reflect.Pointer {
		return fv, !fv.IsZero()
	}
	for fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return fv, false
		}
		fv = fv.Elem()
	}
	return fv, fv.Kind() != reflect.Slice || fv.Len() > 0
}

func buildOne(db *gorm.DB, s *schema.Schema, ff filterField, val reflect.Value) (clause.Expression, error) {
	name := ff.column
	if name == "" {
		name = db.NamingStrategy.ColumnName("", ff.name)
	}
	col, assoc, err := keyColumn(s, name)
	if err != nil {
		return nil, invalid("field %s: %v", ff.name, err)
	}
	if err := checkValue(ff.paramOr(name), val); err != nil {
		return nil, err
	}
	joinAssoc(db, assoc)
	return condition(db.Dialector.Name(), ff.op, col, val), nil
}

// paramOr is the parameter a client sets ff by, or column when ff has no
// form or json tag.
func (ff filterField) paramOr(column string) string {
	if ff.param != "" {
		return ff.param
	}
	return column
}

// checkValue rejects text no database can store and overlong in lists,
// as ParamErrors of param.
func checkValue(param string, val reflect.Value) error {
	if val.Kind() == reflect.String {
		return checkParamText(param, val.String())
	}
	if val.Kind() != reflect.Slice {
		return nil
	}
	if val.Len() > MaxInValues {
		return rejectParam(param, "too_many", "must have at most %d values (got %d)", MaxInValues, val.Len())
	}
	for i := range val.Len() {
		e := reflect.Indirect(val.Index(i))
		if e.Kind() == reflect.String {
			if err := checkParamText(param, e.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// andWhere ANDs exprs, as one group, with the statement's conditions, which
// become a group of their own: "a OR b" already on the query and filter c
// give (a OR b) AND c, never a OR b AND c.
func andWhere(db *gorm.DB, exprs []clause.Expression) {
	if len(exprs) == 0 {
		return
	}
	var groups []clause.Expression
	if prior := takeWhere(db); len(prior) > 0 {
		groups = append(groups, group(prior))
	}
	db.Statement.AddClause(clause.Where{Exprs: append(groups, group(exprs))})
}

// group ANDs exprs as one parenthesised condition.
func group(exprs []clause.Expression) clause.Expression {
	if len(exprs) == 1 {
		if _, isOr := exprs[0].(clause.OrConditions); !isOr {
			return exprs[0]
		}
	}
	return clause.AndConditions{Exprs: exprs}
}
