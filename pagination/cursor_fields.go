package pagination

import (
	"reflect"
	"time"
)

// A cursor carries each sort value as the driver value database/sql makes
// of it (see encodeValue). For a column whose Go type is a plain integer,
// float, bool, string or time.Time (or a pointer to one), with no methods
// that could change that conversion and no serializer, the driver value is
// known from the type alone: such a value is written into the cursor
// straight from the row's field, the same bytes appendValue writes,
// without boxing it in an interface or converting it through reflection.

// fieldRead says how a key's value is read from a row of the model.
type fieldRead struct {
	kind  fieldKind
	ptr   bool // the field is a pointer to a value of kind
	index int  // the field's index in the model's struct
}

type fieldKind uint8

const (
	anyField fieldKind = iota // read through GORM and driverValue
	intField
	floatField
	boolField
	stringField
	timeField
)

// fieldReadOf works out how k's value is read: anyField but for a column
// of the model itself (no embedded struct on the way) of a plain type.
func fieldReadOf(k key) fieldRead {
	if k.expr != nil || k.rel != nil || k.field.Serializer != nil || len(k.field.StructField.Index) != 1 {
		return fieldRead{}
	}
	r := fieldRead{index: k.field.StructField.Index[0]}
	t := k.field.FieldType
	if t.Kind() == reflect.Pointer {
		r.ptr, t = true, t.Elem()
	}
	r.kind = plainKind(t)
	return r
}

// plainKind is the kind of t's values when their driver value follows
// from the type alone: time.Time, or a type without methods (so without
// Value or Decompose, on the type or its pointer) of an integer, float,
// bool or string kind. Unsigned integers are left out: above MaxInt64
// they have no driver value.
func plainKind(t reflect.Type) fieldKind {
	if t == timeType {
		return timeField
	}
	if t.NumMethod() > 0 || reflect.PointerTo(t).NumMethod() > 0 {
		return anyField
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intField
	case reflect.Float32, reflect.Float64:
		return floatField
	case reflect.Bool:
		return boolField
	case reflect.String:
		return stringField
	}
	return anyField
}

// appendField appends the cursor form of the field r reads from row (an
// addressable struct of the model), as appendValue would write its driver
// value. ok is false when r is anyField or the value needs appendValue
// (a string JSON escapes, a time RFC 3339 cannot write).
func appendField(dst []byte, r fieldRead, row reflect.Value) (_ []byte, ok bool) {
	if r.kind == anyField {
		return dst, false
	}
	v := row.Field(r.index)
	if r.ptr {
		if v.IsNil() {
			return append(dst, "null"...), true
		}
		v = v.Elem()
	}
	switch r.kind {
	case intField:
		return appendInt(dst, v.Int()), true
	case floatField:
		return appendFloat(dst, v.Float()), true
	case boolField:
		return appendBool(dst, v.Bool()), true
	case stringField:
		return appendText(dst, v.String())
	case timeField:
		return appendTime(dst, *v.Addr().Interface().(*time.Time))
	}
	return dst, false
}
