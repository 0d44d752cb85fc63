package pagination

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm/schema"
)

// SignCursor signs a cursor of raw JSON values for the listing of table
// sorted by order, as a client holding the key could: tests use it to craft
// validly signed cursors whose content does not fit the sort.
func SignCursor(secret []byte, table string, order []Order, values ...string) string {
	return SignCursorAt(secret, table, order, time.Now(), values...)
}

// SignCursorAt is SignCursor for a cursor issued at issued.
func SignCursorAt(secret []byte, table string, order []Order, issued time.Time, values ...string) string {
	keys := make([]key, len(order))
	for i, o := range order {
		keys[i] = key{Order: o, field: &schema.Field{DBName: o.Column}}
	}
	body := cursorBody{Values: make([]json.RawMessage, len(values)), Issued: issued.Unix()}
	for i, v := range values {
		body.Values[i] = json.RawMessage(v)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	signed := append(payload, signature(secret, specOf(table, keys), payload)...)
	return base64.RawURLEncoding.EncodeToString(signed)
}

// CodecAgrees reports where the cursor codec's own writer and reader
// differ from encoding/json's for v, a sort value of type t: "" when they
// agree.
func CodecAgrees(v any, t reflect.Type) string {
	fast, errFast := appendValue(nil, v)
	slow, errSlow := encodeValue(v)
	if (errFast == nil) != (errSlow == nil) || string(fast) != string(slow) {
		return fmt.Sprintf("written %s (%v), json writes %s (%v)", fast, errFast, slow, errSlow)
	}
	if errSlow != nil {
		return ""
	}
	want, errWant := decodeValue(slow, t, kindsOf(t, false))
	body, _, ok := parseBody([]byte(`{"v":[`+string(slow)+`],"t":1}`), nil)
	if !ok {
		return "" // read by encoding/json
	}
	got, errGot := fastValue(body[0], t, kindsOf(t, false))
	if (errGot == nil) != (errWant == nil) || !reflect.DeepEqual(got, want) && fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
		return fmt.Sprintf("%s read as %#v (%v), json reads %#v (%v)", slow, got, errGot, want, errWant)
	}
	return ""
}

// FieldCodecAgrees reports where the cursor form appendField writes of a
// struct field holding v (and of one holding a pointer to v, and a nil
// one) differs from the form appendValue writes of the field's value: ""
// when they agree or appendField leaves the value to appendValue.
func FieldCodecAgrees(v any) string {
	t := reflect.TypeOf(v)
	for _, ft := range []reflect.Type{t, reflect.PointerTo(t)} {
		row := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: ft}})).Elem()
		r := fieldRead{kind: plainKind(t), ptr: ft.Kind() == reflect.Pointer && t.Kind() != reflect.Pointer}
		for _, set := range []bool{true, false} {
			if set && r.ptr {
				p := reflect.New(t)
				p.Elem().Set(reflect.ValueOf(v))
				row.Field(0).Set(p)
			} else if set {
				row.Field(0).Set(reflect.ValueOf(v))
			} else if !r.ptr {
				continue
			}
			fast, ok := appendField([]byte("x"), r, row)
			if !ok {
				continue
			}
			slow, err := appendValue([]byte("x"), row.Field(0).Interface())
			if err != nil || string(fast) != string(slow) {
				return fmt.Sprintf("%s: written %s, appendValue writes %s (%v)", ft, fast, slow, err)
			}
		}
	}
	return ""
}

// signature binds a payload to the listing's table and sort spec, as
// encodeCursor signs it.
func signature(key []byte, spec string, payload []byte) []byte {
	return newSigner(key).get().appendSum(nil, spec, payload)
}

// KeyCacheSize is the number of resolved orders cached.
func KeyCacheSize() int {
	keyCache.RLock()
	defer keyCache.RUnlock()
	return len(keyCache.m)
}
