package pagination

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// A cursor carries each sort value as the database sees it: the driver value
// the column's Go value converts to (through its driver.Valuer or GORM
// serializer, if any), tagged with its type, so that it comes back as the
// same driver value and binds as the same parameter. Go's own JSON form of
// the field would not do: a custom Valuer may have no exported state, an
// enum may marshal to a name while storing a number, a serializer field is
// not its stored text, and JSON has no ±Inf or NaN.
//
//	null                  NULL
//	["i", 42]             int64
//	["f", "-Inf"]         float64, as strconv writes it
//	["b", true]           bool
//	["s", "text"]         string (valid UTF-8)
//	["z", "base64"]       string of other bytes
//	["x", "base64"]       []byte
//	["t", "RFC 3339"]     time.Time, to the nanosecond, offset kept
//	                      (UTC for an offset with seconds; see cursorTime)
//	["g", <JSON>]         a Go value no driver value stands for (say a
//	                      uint64 above MaxInt64), in the field's own JSON
const (
	intValue    = "i"
	floatValue  = "f"
	boolValue   = "b"
	textValue   = "s"
	binTextVal  = "z"
	bytesValue  = "x"
	timeValue   = "t"
	goJSONValue = "g"
)

// encodeValue returns the cursor form of one sort value.
func encodeValue(v any) (json.RawMessage, error) {
	dv, ok := driverValue(v)
	if !ok {
		return tagged(goJSONValue, v)
	}
	switch x := dv.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case int64:
		return tagged(intValue, x)
	case float64:
		return tagged(floatValue, strconv.FormatFloat(x, 'g', -1, 64))
	case bool:
		return tagged(boolValue, x)
	case string:
		if !utf8.ValidString(x) {
			return tagged(binTextVal, []byte(x))
		}
		return tagged(textValue, x)
	case []byte:
		return tagged(bytesValue, x)
	case time.Time:
		return tagged(timeValue, cursorTime(x))
	}
	return tagged(goJSONValue, v)
}

// cursorTime is t as a cursor carries it. RFC 3339 writes a zone offset in
// whole minutes, so a time whose offset has seconds (local mean time, which
// time.LoadLocation gives for dates before a zone's standard time) is
// carried in UTC, the same instant; any other keeps its offset, as SQLite,
// which compares times as text, needs.
func cursorTime(t time.Time) time.Time {
	if _, offset := t.Zone(); offset%60 != 0 {
		return t.UTC()
	}
	return t
}

func tagged(kind string, v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal([2]json.RawMessage{json.RawMessage(strconv.Quote(kind)), raw})
}

// driverValue converts v as database/sql would before binding it, through
// its driver.Valuer if it has one. A nil pointer, a nil []byte and a Valuer
// returning nil are NULL (nil). ok is false when no driver value stands for
// v.
func driverValue(v any) (dv any, ok bool) {
	if isNull(v) {
		return nil, true
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 && rv.IsNil() {
		return nil, true
	}
	dv, err := driver.DefaultParameterConverter.ConvertValue(v)
	return dv, err == nil
}

// decodeValue reads one sort value of a cursor for a key whose values have
// the Go type t and are of the kinds fits (see kindsOf): the driver value
// it carries or, for a "g" value, a value of type t. A value of a kind t's
// values never convert to is an error.
func decodeValue(raw json.RawMessage, t reflect.Type, fits kinds) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var pair [2]json.RawMessage
	if err := json.Unmarshal(raw, &pair); err != nil {
		return nil, err
	}
	var kind string
	if err := json.Unmarshal(pair[0], &kind); err != nil {
		return nil, err
	}
	if !fits.fit(kind) {
		return nil, fmt.Errorf("a value of kind %q for %s", kind, t)
	}
	switch kind {
	case intValue:
		return decodeAs[int64](pair[1])
	case floatValue:
		return decodeFloat(pair[1])
	case boolValue:
		return decodeAs[bool](pair[1])
	case textValue:
		return decodeAs[string](pair[1])
	case binTextVal:
		b, err := decodeAs[[]byte](pair[1])
		return string(b), err
	case bytesValue:
		return decodeAs[[]byte](pair[1])
	case timeValue:
		return decodeAs[time.Time](pair[1])
	case goJSONValue:
		ptr := reflect.New(t)
		err := json.Unmarshal(pair[1], ptr.Interface())
		return ptr.Elem().Interface(), err
	}
	return nil, fmt.Errorf("unknown value kind %q", kind)
}

func decodeAs[V any](raw json.RawMessage) (V, error) {
	var v V
	err := json.Unmarshal(raw, &v)
	return v, err
}

func decodeFloat(raw json.RawMessage) (float64, error) {
	s, err := decodeAs[string](raw)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, err
	}
	return f, nil
}

var (
	valuerType = reflect.TypeFor[driver.Valuer]()
	timeType   = reflect.TypeFor[time.Time]()
)

// kinds are the kinds of cursor value that stand for the values of one Go
// type: want, or "g", or any kind at all.
type kinds struct {
	want string
	any  bool
}

// fit reports whether a cursor value of the given kind stands for a value
// of the type: invalid UTF-8 ("z") stands for a string as well.
func (k kinds) fit(kind string) bool {
	return k.any || kind == k.want || kind == goJSONValue || k.want == textValue && kind == binTextVal
}

// kindsOf works out the kinds of t's values. Values with a driver.Valuer
// or a serializer (custom) may convert to any kind.
func kindsOf(t reflect.Type, custom bool) kinds {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if custom || t.Implements(valuerType) || reflect.PointerTo(t).Implements(valuerType) {
		return kinds{any: true}
	}
	want := goJSONValue
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = intValue
	case reflect.Float32, reflect.Float64:
		want = floatValue
	case reflect.Bool:
		want = boolValue
	case reflect.String:
		want = textValue
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			want = bytesValue
		}
	case reflect.Struct:
		if t == timeType {
			want = timeValue
		}
	}
	return kinds{want: want}
}
