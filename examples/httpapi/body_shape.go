package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// maxBodyProblems is the most fields one refused body reports.
const maxBodyProblems = 5

// checkShape walks the JSON of body (valid, checked by checkSyntax)
// against the request struct dst points to, and reports, in the client's
// terms, each field whose value is not of its type, each unknown field
// (names are matched exactly) and each field given twice, up to
// maxBodyProblems, in the order of the body. null is accepted anywhere, as
// encoding/json does: it leaves the field as it is.
func checkShape(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil // not reached: the syntax was checked
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return bodyError("type", "the request body must be a JSON object (got "+gotToken(tok)+")")
	}
	c := &shapeCheck{dec: dec}
	c.object("", reflect.TypeOf(dst).Elem())
	return c.err()
}

// shapeCheck is one walk of checkShape.
type shapeCheck struct {
	dec      *json.Decoder
	problems []FieldError
	stop     bool // enough problems, or the decoder failed
}

// err is the 400 of the problems found, or nil.
func (c *shapeCheck) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	first := c.problems[0]
	e := &APIError{Status: http.StatusBadRequest, Code: "invalid_body", Message: first.Message,
		Field: first.Field, Rule: first.Rule, Fields: c.problems}
	if n := len(c.problems) - 1; n > 0 {
		e.Message += fmt.Sprintf(" (and %d more: see fields)", n)
	}
	return e
}

func (c *shapeCheck) fail(field, rule, message string) {
	c.problems = append(c.problems, FieldError{Field: field, Rule: rule, Message: message})
	c.stop = len(c.problems) >= maxBodyProblems
}

// token reads the next token; on a decoder error the walk stops.
func (c *shapeCheck) token() json.Token {
	tok, err := c.dec.Token()
	if err != nil {
		c.stop = true
	}
	return tok
}

// value checks the next value, at path, against t.
func (c *shapeCheck) value(path string, t reflect.Type) {
	tok := c.token()
	if c.stop || tok == nil { // null leaves the field as it is
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	w := wantOf(t)
	switch got := jsonKindOf(tok); {
	case w.kind == anyKind:
		c.skip(tok)
	case got != w.kind:
		c.fail(path, w.rule, fmt.Sprintf("%s: must be %s (got %s)", path, w.words, gotToken(tok)))
		c.skip(tok)
	case got == objectKind && t.Kind() == reflect.Map:
		c.mapObject(path, t)
	case got == objectKind:
		c.object(path, t)
	case got == listKind:
		c.list(path, t.Elem())
	case w.check != nil:
		text := fmt.Sprint(tok)
		if must := w.check(text); must != "" {
			c.fail(path, w.rule, fmt.Sprintf("%s: must be %s (got %s)", path, must, echo(tok, text)))
		}
	}
}

// object checks the fields of an object decoded into the struct t, after
// its "{".
func (c *shapeCheck) object(path string, t reflect.Type) {
	fields := jsonFields(t)
	seen := map[string]bool{}
	for !c.stop && c.dec.More() {
		key, _ := c.token().(string)
		field := joinPath(path, key)
		ft, known := fields[key]
		switch {
		case c.stop:
		case !known:
			c.fail(clientText(field), "unknown", fmt.Sprintf("unknown field %s (%s)", quoteCut(field), allowedFields(path, fields)))
			c.skip(c.token())
		case seen[key]:
			c.fail(field, "repeated", field+": must be given once")
			c.skip(c.token())
		default:
			seen[key] = true
			c.value(field, ft)
		}
	}
	c.token() // "}"
}

// mapObject checks the values of an object decoded into the map t.
func (c *shapeCheck) mapObject(path string, t reflect.Type) {
	for !c.stop && c.dec.More() {
		key, _ := c.token().(string)
		c.value(joinPath(path, clientText(key)), t.Elem())
	}
	c.token() // "}"
}

// list checks the items of a list, after its "[".
func (c *shapeCheck) list(path string, elem reflect.Type) {
	for i := 0; !c.stop && c.dec.More(); i++ {
		c.value(fmt.Sprintf("%s[%d]", path, i), elem)
	}
	c.token() // "]"
}

// skip reads the rest of a value whose first token is tok.
func (c *shapeCheck) skip(tok json.Token) {
	if d, ok := tok.(json.Delim); !ok || d != '{' && d != '[' {
		return
	}
	for depth := 1; depth > 0 && !c.stop; {
		if d, ok := c.token().(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
}

// jsonFields returns the fields encoding/json decodes into the struct t,
// by JSON name, embedded structs flattened.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case name == "-" || !sf.IsExported() && !sf.Anonymous:
		case sf.Anonymous && name == "" && indirectType(sf.Type).Kind() == reflect.Struct:
			for n, ft := range jsonFields(indirectType(sf.Type)) {
				fields[n] = ft
			}
		case !sf.IsExported():
		case name == "":
			fields[sf.Name] = sf.Type
		default:
			fields[name] = sf.Type
		}
	}
	return fields
}

func indirectType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// allowedFields lists the names an object at path takes.
func allowedFields(path string, fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	if path == "" {
		return "allowed: " + strings.Join(names, ", ")
	}
	return "allowed in " + path + ": " + strings.Join(names, ", ")
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// textUnmarshaler is the interface of types read from a JSON string by
// their UnmarshalText method (UUIDs, times).
var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// jsonUnmarshaler is the interface of types that read their own JSON.
var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
