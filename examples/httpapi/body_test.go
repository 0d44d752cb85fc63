package main

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// bodyCase is one request body and the 400 the client must get for it:
// the rule, the field at fault ("" for the body as a whole), the message,
// word for word, and every field at fault.
type bodyCase struct {
	name    string
	body    string
	rule    string
	field   string
	message string
	fields  []FieldError // nil: none listed
}

// uuidMust is what a UUID field must be.
const uuidMust = "must be a UUID, like 0190a7a4-7c1e-7000-8000-000000000001"

// createBodies are hostile bodies of POST /articles.
var createBodies = []bodyCase{
	{"empty", ``, "empty", "", "the request body is empty: send a JSON object", nil},
	{"blank", " \r\n\t", "empty", "", "the request body is empty: send a JSON object", nil},
	{"truncated", `{"title": "X",`, "syntax", "",
		`the request body is not valid JSON: it ends too early, at line 1, column 15 (byte 14): close every string, object and list`, nil},
	{"trailing comma", `{"title": "X",}`, "syntax", "",
		`the request body is not valid JSON at line 1, column 15 (byte 14): expected a field name in double quotes, found "}"`, nil},
	{"missing colon", `{"title" "X"}`, "syntax", "",
		`the request body is not valid JSON at line 1, column 10 (byte 9): expected ":" after the field name, found "\""`, nil},
	{"missing comma on line 3", "{\n  \"title\": \"X\"\n  \"body\": \"Y\"\n}", "syntax", "",
		`the request body is not valid JSON at line 3, column 3 (byte 19): expected "," or "}" after a field's value, found "\""`, nil},
	{"bad literal", `{"title": tru}`, "syntax", "",
		`the request body is not valid JSON at line 1, column 14 (byte 13): expected true, found "}"`, nil},
	{"bad escape", `{"title": "\x"}`, "syntax", "",
		`the request body is not valid JSON at line 1, column 13 (byte 12): expected \", \\, \/, \b, \f, \n, \r, \t or \uXXXX after a backslash in a string, found "x"`, nil},
	{"control character", "{\"title\": \"a\tb\"}", "syntax", "",
		`the request body is not valid JSON at line 1, column 13 (byte 12): expected no control character in a string (write it escaped, like \n), found "\t"`, nil},
	{"bad number", `{"title": 1.}`, "syntax", "",
		`the request body is not valid JSON at line 1, column 13 (byte 12): expected a digit in the number, found "}"`, nil},
	{"single quotes", `{'title': 'X'}`, "syntax", "",
		`the request body is not valid JSON at line 1, column 2 (byte 1): expected a field name in double quotes, found "'"`, nil},
	{"deep nesting", strings.Repeat("[", 10001), "syntax", "",
		`the request body is not valid JSON at line 1, column 10001 (byte 10000): expected at most 10000 nested objects and lists, found "["`, nil},
	{"two objects", `{"title":"a"}{"title":"b"}`, "trailing_data", "",
		`the request body must hold one JSON object and nothing after it (found "{" at line 1, column 14, byte 13)`, nil},
	{"trailing text", `{"title":"a"} x`, "trailing_data", "",
		`the request body must hold one JSON object and nothing after it (found "x" at line 1, column 15, byte 14)`, nil},
	{"list", `[{"title":"a"}]`, "type", "", "the request body must be a JSON object (got a list)", nil},
	{"string", `"text"`, "type", "", "the request body must be a JSON object (got a string)", nil},
	{"null", `null`, "type", "", "the request body must be a JSON object (got null)", nil},
	{"number", `42`, "type", "", "the request body must be a JSON object (got a number)", nil},
	{"uuid not a uuid", `{"author_id": "not-a-uuid", "title": "T"}`, "uuid", "author_id",
		`author_id: ` + uuidMust + ` (got "not-a-uuid")`, []FieldError{{Field: "author_id", Rule: "uuid", Message: `author_id: ` + uuidMust + ` (got "not-a-uuid")`}}},
	{"uuid as number", `{"author_id": 12, "title": "T"}`, "uuid", "author_id",
		`author_id: ` + uuidMust + ` (got a number)`, []FieldError{{Field: "author_id", Rule: "uuid", Message: `author_id: ` + uuidMust + ` (got a number)`}}},
	{"title as number", `{"title": 42}`, "string", "title", `title: must be a string (got a number)`,
		[]FieldError{{Field: "title", Rule: "string", Message: `title: must be a string (got a number)`}}},
	{"title as list", `{"title": ["a", {"b": 1}]}`, "string", "title", `title: must be a string (got a list)`,
		[]FieldError{{Field: "title", Rule: "string", Message: `title: must be a string (got a list)`}}},
	{"title as object", `{"title": {"a": [1]}}`, "string", "title", `title: must be a string (got an object)`,
		[]FieldError{{Field: "title", Rule: "string", Message: `title: must be a string (got an object)`}}},
	{"status as bool", `{"status": false}`, "string", "status", `status: must be a string (got false)`,
		[]FieldError{{Field: "status", Rule: "string", Message: `status: must be a string (got false)`}}},
	{"unknown field", `{"titel": "a"}`, "unknown", "titel", `unknown field "titel" (allowed: author_id, body, status, title)`,
		[]FieldError{{Field: "titel", Rule: "unknown", Message: `unknown field "titel" (allowed: author_id, body, status, title)`}}},
	{"field in another case", `{"Title": "a"}`, "unknown", "Title", `unknown field "Title" (allowed: author_id, body, status, title)`,
		[]FieldError{{Field: "Title", Rule: "unknown", Message: `unknown field "Title" (allowed: author_id, body, status, title)`}}},
	{"huge unknown field", `{"` + strings.Repeat("k", 300) + `": 1}`, "unknown", strings.Repeat("k", 64),
		`unknown field "` + strings.Repeat("k", 78) + `"... (300 bytes) (allowed: author_id, body, status, title)`,
		[]FieldError{{Field: strings.Repeat("k", 64), Rule: "unknown", Message: `unknown field "` + strings.Repeat("k", 78) + `"... (300 bytes) (allowed: author_id, body, status, title)`}}},
	{"repeated field", `{"title": "a", "title": "b"}`, "repeated", "title", `title: must be given once`,
		[]FieldError{{Field: "title", Rule: "repeated", Message: `title: must be given once`}}},
	{"several fields", `{"author_id": 1, "title": 2, "nope": 3}`, "uuid", "author_id",
		`author_id: ` + uuidMust + ` (got a number) (and 2 more: see fields)`, []FieldError{
			{Field: "author_id", Rule: "uuid", Message: `author_id: ` + uuidMust + ` (got a number)`},
			{Field: "title", Rule: "string", Message: `title: must be a string (got a number)`},
			{Field: "nope", Rule: "unknown", Message: `unknown field "nope" (allowed: author_id, body, status, title)`},
		}},
	{"invalid UTF-8", "{\"title\": \"\xff\"}", "utf8", "", "the request body must be valid UTF-8 text", nil},
	{"too large", `{"title": "` + strings.Repeat("x", maxBodyBytes) + `"}`, "too_large", "",
		"the request body must be at most 1048576 bytes (1 MiB)", nil},
}

// updateBodies are hostile bodies of PATCH /articles/{id}.
var updateBodies = []bodyCase{
	{"version as string", `{"version": "1", "title": "x"}`, "integer", "version", `version: must be an integer (got a string)`,
		[]FieldError{{Field: "version", Rule: "integer", Message: `version: must be an integer (got a string)`}}},
	{"version fraction", `{"version": 1.5}`, "integer", "version", `version: must be an integer (got 1.5)`,
		[]FieldError{{Field: "version", Rule: "integer", Message: `version: must be an integer (got 1.5)`}}},
	{"version huge", `{"version": 1e400}`, "integer", "version", `version: must be an integer (got 1e400)`,
		[]FieldError{{Field: "version", Rule: "integer", Message: `version: must be an integer (got 1e400)`}}},
	{"version overflow", `{"version": 9223372036854775808}`, "integer", "version",
		`version: must be an integer from -9223372036854775808 to 9223372036854775807 (got 9223372036854775808)`,
		[]FieldError{{Field: "version", Rule: "integer", Message: `version: must be an integer from -9223372036854775808 to 9223372036854775807 (got 9223372036854775808)`}}},
	{"version long number", `{"version": 1` + strings.Repeat("0", 200) + `}`, "integer", "version",
		`version: must be an integer from -9223372036854775808 to 9223372036854775807 (got 1` + strings.Repeat("0", 39) + `... (201 characters))`,
		[]FieldError{{Field: "version", Rule: "integer", Message: `version: must be an integer from -9223372036854775808 to 9223372036854775807 (got 1` + strings.Repeat("0", 39) + `... (201 characters))`}}},
	{"unknown on update", `{"version": 1, "author_id": "x"}`, "unknown", "author_id", `unknown field "author_id" (allowed: body, status, title, version)`,
		[]FieldError{{Field: "author_id", Rule: "unknown", Message: `unknown field "author_id" (allowed: body, status, title, version)`}}},
}

// nestedRequest has a field of every kind and nested ones, to check the
// paths and the words of each expected type.
type nestedRequest struct {
	Author struct {
		ID   uuid.UUID `json:"id"`
		Name string    `json:"name"`
	} `json:"author"`
	Tags  []string          `json:"tags"`
	Due   *time.Time        `json:"due"`
	Count uint8             `json:"count"`
	Score float64           `json:"score"`
	Draft bool              `json:"draft"`
	Meta  map[string]int    `json:"meta"`
	Any   any               `json:"any"`
	Skip  string            `json:"-"`
	Extra map[string]string `json:"extra,omitempty"`
}

var nestedBodies = []bodyCase{
	{"nested uuid", `{"author": {"id": "x"}}`, "uuid", "author.id", `author.id: ` + uuidMust + ` (got "x")`,
		[]FieldError{{Field: "author.id", Rule: "uuid", Message: `author.id: ` + uuidMust + ` (got "x")`}}},
	{"nested unknown", `{"author": {"nme": "x"}}`, "unknown", "author.nme", `unknown field "author.nme" (allowed in author: id, name)`,
		[]FieldError{{Field: "author.nme", Rule: "unknown", Message: `unknown field "author.nme" (allowed in author: id, name)`}}},
	{"nested not an object", `{"author": "Ada"}`, "object", "author", `author: must be an object (got a string)`,
		[]FieldError{{Field: "author", Rule: "object", Message: `author: must be an object (got a string)`}}},
	{"list item", `{"tags": ["a", 1, "c", null]}`, "string", "tags[1]", `tags[1]: must be a string (got a number)`,
		[]FieldError{{Field: "tags[1]", Rule: "string", Message: `tags[1]: must be a string (got a number)`}}},
	{"not a list", `{"tags": "a,b"}`, "list", "tags", `tags: must be a list (got a string)`,
		[]FieldError{{Field: "tags", Rule: "list", Message: `tags: must be a list (got a string)`}}},
	{"time", `{"due": "tomorrow"}`, "time", "due", `due: must be an RFC 3339 time, like 2026-01-31T10:00:00Z (got "tomorrow")`,
		[]FieldError{{Field: "due", Rule: "time", Message: `due: must be an RFC 3339 time, like 2026-01-31T10:00:00Z (got "tomorrow")`}}},
	{"unsigned", `{"count": -1}`, "integer", "count", `count: must be an integer from 0 to 255 (got -1)`,
		[]FieldError{{Field: "count", Rule: "integer", Message: `count: must be an integer from 0 to 255 (got -1)`}}},
	{"number", `{"score": "high"}`, "number", "score", `score: must be a number (got a string)`,
		[]FieldError{{Field: "score", Rule: "number", Message: `score: must be a number (got a string)`}}},
	{"number out of range", `{"score": 1e400}`, "number", "score", `score: must be a finite number (got 1e400)`,
		[]FieldError{{Field: "score", Rule: "number", Message: `score: must be a finite number (got 1e400)`}}},
	{"bool", `{"draft": "yes"}`, "boolean", "draft", `draft: must be true or false (got a string)`,
		[]FieldError{{Field: "draft", Rule: "boolean", Message: `draft: must be true or false (got a string)`}}},
	{"map value", `{"meta": {"a": 1, "b": "2"}}`, "integer", "meta.b", `meta.b: must be an integer (got a string)`,
		[]FieldError{{Field: "meta.b", Rule: "integer", Message: `meta.b: must be an integer (got a string)`}}},
	{"ignored field", `{"Skip": "x"}`, "unknown", "Skip", `unknown field "Skip" (allowed: any, author, count, draft, due, extra, meta, score, tags)`,
		[]FieldError{{Field: "Skip", Rule: "unknown", Message: `unknown field "Skip" (allowed: any, author, count, draft, due, extra, meta, score, tags)`}}},
}

// TestBodyErrors decodes hostile bodies into the request structs and
// checks each refusal word for word, and that it says nothing of Go.
func TestBodyErrors(t *testing.T) {
	for _, set := range []struct {
		name  string
		cases []bodyCase
		dst   func() any
	}{
		{"create", createBodies, func() any { return new(CreateArticleRequest) }},
		{"update", updateBodies, func() any { return new(UpdateArticleRequest) }},
		{"nested", nestedBodies, func() any { return new(nestedRequest) }},
	} {
		for _, c := range set.cases {
			t.Run(set.name+"/"+c.name, func(t *testing.T) {
				checkBodyError(t, decodeBody([]byte(c.body), set.dst()), c)
			})
		}
	}
}

func checkBodyError(t *testing.T, err error, c bodyCase) {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want an *APIError", err)
	}
	if e.Status != http.StatusBadRequest || e.Code != "invalid_body" {
		t.Errorf("status %d code %q, want 400 invalid_body", e.Status, e.Code)
	}
	if e.Rule != c.rule || e.Field != c.field || e.Message != c.message {
		t.Errorf("got  rule %q field %q message %q\nwant rule %q field %q message %q", e.Rule, e.Field, e.Message, c.rule, c.field, c.message)
	}
	if len(e.Fields) != len(c.fields) {
		t.Fatalf("fields %+v, want %+v", e.Fields, c.fields)
	}
	for i, f := range c.fields {
		if e.Fields[i] != f {
			t.Errorf("fields[%d] = %+v, want %+v", i, e.Fields[i], f)
		}
	}
	for _, msg := range append([]string{e.Message}, fieldMessages(e.Fields)...) {
		if leak := goBodyLeak(msg); leak != "" {
			t.Errorf("message %q speaks of Go: %q", msg, leak)
		}
	}
}

func fieldMessages(fields []FieldError) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Message
	}
	return out
}

// goBodyLeak returns the first Go term in a message about a body, or "";
// the text the client wrote (an unknown field's name, a value after "got")
// is left out.
func goBodyLeak(msg string) string {
	return goBodyTerms.FindString(clientQuoted.ReplaceAllString(msg, `"..."`))
}

// clientQuoted is client text a message quotes.
var clientQuoted = regexp.MustCompile(`(unknown field |got |found )"(?:[^"\\]|\\.)*"`)

// goBodyTerms are words of Go's JSON decoder rather than of the API: type
// names, struct names, "json:" prefixes, and the texts it used to return.
var goBodyTerms = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|bool|struct|map|slice|interface|rune)\b|\[\]byte|uuid\.UUID|time\.Time|json:|Go value|Go struct|\bmain\.|Request\b|malformed JSON|must be a JSON (u?int|float|bool|struct|slice|map|array|ptr|interface)|field "" must be`)

// TestBodyErrorOverHTTP checks the 400 a client receives for a body, in
// the API's error shape, on every route that reads one; nothing is
// written.
func TestBodyErrorOverHTTP(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "T"})
		for _, c := range []struct {
			method, path string
			c            bodyCase
		}{
			{"POST", "/articles", createBodies[18]},
			{"POST", "/articles", createBodies[28]},
			{"POST", "/authors", bodyCase{"author", `{"name": 1, "email": "x@example.com"}`, "string", "name", `name: must be a string (got a number)`,
				[]FieldError{{Field: "name", Rule: "string", Message: `name: must be a string (got a number)`}}}},
			{"PATCH", "/articles/" + art.ID.String(), updateBodies[0]},
			{"PATCH", "/articles/" + art.ID.String(), createBodies[2]},
		} {
			t.Run(c.method+" "+c.c.name, func(t *testing.T) {
				e := a.do(c.method, c.path, c.c.body).wantError(t, 400, "invalid_body")
				checkBodyError(t, &e, c.c)
			})
		}
		if n := a.count(&Article{}); n != 1 {
			t.Errorf("%d articles, want 1", n)
		}
	})
}
