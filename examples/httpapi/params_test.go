package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestParamErrorBodies checks the 400 a client gets for a bad query
// parameter: the parameter's name, the rule it broke and a message saying
// what it must be, word for word, with nothing about Go in it.
func TestParamErrorBodies(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{CursorKey: []byte("a test key of at least thirty-two bytes")})
		cases := []struct {
			path    string
			params  []ParamProblem
			message string // "" means params[0].Message
		}{
			{"/articles?status_in=archived", []ParamProblem{{"status_in", "oneof", `status_in: each value must be one of draft, published (got "archived")`}}, ""},
			{"/articles?status_in=draft,published,draft", []ParamProblem{{"status_in", "max", `status_in: must have at most 2 values`}}, ""},
			{"/articles?created_from=yesterday", []ParamProblem{{"created_from", "time", `created_from: must be an RFC 3339 time, like 2026-01-31T10:00:00Z (got "yesterday")`}}, ""},
			{"/articles?author_id=12", []ParamProblem{{"author_id", "uuid", `author_id: must be a UUID, like 0190a7a4-7c1e-7000-8000-000000000001 (got "12")`}}, ""},
			{"/articles?title_icontains=" + strings.Repeat("x", 201), []ParamProblem{{"title_icontains", "max", `title_icontains: must be at most 200 characters long (got "` + strings.Repeat("x", 78) + `"... (201 bytes))`}}, ""},
			{"/articles?page=0", []ParamProblem{{"page", "gte", `page: must be an integer ≥ 1 (got "0")`}}, ""},
			{"/articles?page_size=1e3", []ParamProblem{{"page_size", "integer", `page_size: must be an integer ≥ 1 (got "1e3")`}}, ""},
			{"/articles?page=1&page=2", []ParamProblem{{"page", "repeated", `page: must be given once (got 2 values)`}}, ""},
			{"/articles?title=Go", []ParamProblem{{"title", "unknown", `unknown parameter "title" (allowed: author_id, created_before, created_from, page, page_size, sort, status_in, title_icontains)`}}, ""},
			{"/articles/feed?limit=-1", []ParamProblem{{"limit", "gte", `limit: must be an integer ≥ 1 (got "-1")`}}, ""},
			{"/audit?entity_id=x&action=" + url.QueryEscape("a\x00"), []ParamProblem{
				{"action", "text", `action: must not contain NUL bytes`},
				{"entity_id", "uuid", `entity_id: must be a UUID, like 0190a7a4-7c1e-7000-8000-000000000001 (got "x")`},
			}, `action: must not contain NUL bytes (and 1 more: see params)`},
		}
		for _, c := range cases {
			t.Run(c.path[:min(len(c.path), 60)], func(t *testing.T) {
				e := a.do("GET", c.path, nil).wantError(t, 400, "invalid_parameter")
				want := c.message
				if want == "" {
					want = c.params[0].Message
				}
				if e.Param != c.params[0].Param || e.Rule != c.params[0].Rule || e.Message != want {
					t.Errorf("got  param %q rule %q message %q\nwant param %q rule %q message %q",
						e.Param, e.Rule, e.Message, c.params[0].Param, c.params[0].Rule, want)
				}
				if len(e.Params) != len(c.params) {
					t.Fatalf("params %+v, want %+v", e.Params, c.params)
				}
				for i, p := range c.params {
					if e.Params[i] != p {
						t.Errorf("params[%d] = %+v, want %+v", i, e.Params[i], p)
					}
				}
				if leak := goTerms.FindString(e.Message); leak != "" {
					t.Errorf("message %q speaks of Go: %q", e.Message, leak)
				}
			})
		}
	})
}

// goTerms are words of Go rather than of the API: validator and form
// texts, struct paths, indexes and type names.
var goTerms = regexp.MustCompile(`Key: |Field validation|Namespace|Error:|ArticleFilter|ArticleConditions|AuditFilter|PaginatedFilter|CursorFilter|[A-Z]\w*\.[A-Z]\w*|\w\[\d+\]|\b(u?int(8|16|32|64)?|float(32|64)|bool|struct|time\.Time|uuid\.UUID|malformed value for its type)\b`)
