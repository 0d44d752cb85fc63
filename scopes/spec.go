package scopes

import (
	"reflect"
	"strings"
	"sync"
)

// op is a filter operator, as written in a filter tag.
type op string

const (
	opEq         op = "eq"
	opNe         op = "ne"
	opGt         op = "gt"
	opGte        op = "gte"
	opLt         op = "lt"
	opLte        op = "lte"
	opIn         op = "in"
	opNotIn      op = "not_in"
	opContains   op = "contains"
	opIContains  op = "icontains"
	opStartsWith op = "startswith"
	opEndsWith   op = "endswith"
	opIsNull     op = "isnull"
)

// kindOf says what Go kind an operator's field must have.
var kindOf = map[op]string{
	opEq: "scalar", opNe: "scalar", opGt: "scalar", opGte: "scalar", opLt: "scalar", opLte: "scalar",
	opIn: "slice", opNotIn: "slice",
	opContains: "string", opIContains: "string", opStartsWith: "string", opEndsWith: "string",
	opIsNull: "bool",
}

// filterField is one tagged field of a filter struct.
type filterField struct {
	index  []int
	name   string // the Go field name, for messages to the program
	param  string // the parameter a client sets it by: form or json tag; "" if neither
	column string // "" means the field's column name under the db's namer
	op     op
}

// filterSpec is the parsed form of a filter struct type, or the error its
// tags hold.
type filterSpec struct {
	fields []filterField
	err    error
}

var specs sync.Map // reflect.Type -> *filterSpec

// specOf returns the cached spec of a filter struct type.
func specOf(t reflect.Type) *filterSpec {
	if s, ok := specs.Load(t); ok {
		return s.(*filterSpec)
	}
	s := &filterSpec{}
	s.err = s.collect(t, nil)
	actual, _ := specs.LoadOrStore(t, s)
	return actual.(*filterSpec)
}

// collect walks t's fields, descending into untagged embedded structs.
func (s *filterSpec) collect(t reflect.Type, index []int) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		tag, tagged := sf.Tag.Lookup("filter")
		if !tagged || tag == "-" {
			if sf.Anonymous && indirect(sf.Type).Kind() == reflect.Struct {
				if err := s.collect(indirect(sf.Type), idx); err != nil {
					return err
				}
			}
			continue
		}
		f, err := parseTag(sf, idx, tag)
		if err != nil {
			return err
		}
		s.fields = append(s.fields, f)
	}
	return nil
}

func parseTag(sf reflect.StructField, idx []int, tag string) (filterField, error) {
	col, o, _ := strings.Cut(tag, ",")
	f := filterField{index: idx, name: sf.Name, param: paramName(sf), column: strings.TrimSpace(col), op: op(strings.TrimSpace(o))}
	if f.op == "" {
		f.op = opEq
	}
	want, ok := kindOf[f.op]
	if !ok || !sf.IsExported() {
		return f, invalid("field %s: unknown operator %q (allowed: eq, ne, gt, gte, lt, lte, in, not_in, contains, icontains, startswith, endswith, isnull) or unexported field", sf.Name, f.op)
	}
	if !kindFits(indirect(sf.Type), want) {
		return f, invalid("field %s: operator %s needs a %s field, not %s", sf.Name, f.op, want, sf.Type)
	}
	return f, nil
}

// paramName is the name a client gives the field: its form tag, as Decode
// reads it, else its json tag's name, else "".
func paramName(sf reflect.StructField) string {
	if name := formName(sf); name != "" {
		return name
	}
	if name, _, _ := strings.Cut(sf.Tag.Get("json"), ","); name != "-" {
		return name
	}
	return ""
}

func indirect(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func kindFits(t reflect.Type, want string) bool {
	isBytes := t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8
	isList := t.Kind() == reflect.Slice && !isBytes
	switch want {
	case "slice":
		return isList
	case "string":
		return t.Kind() == reflect.String
	case "bool":
		return t.Kind() == reflect.Bool
	}
	return !isList && t.Kind() != reflect.Map && t.Kind() != reflect.Func && t.Kind() != reflect.Chan
}
