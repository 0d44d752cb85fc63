package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/pagination"
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
			// Found after decoding: the sort spec, the page size maximum, the cursor.
			{"/articles?sort=passwd", []ParamProblem{{"sort", "unknown_field", `sort: unknown field "passwd" (allowed: created_at, updated_at, title, status)`}}, ""},
			{"/articles?sort=title,-title", []ParamProblem{{"sort", "duplicate_field", `sort: field "title" given twice`}}, ""},
			{"/articles?sort=title:nullsup", []ParamProblem{{"sort", "modifier", `sort: field "title" has an unknown modifier "nullsup" (allowed: nullsfirst, nullslast)`}}, ""},
			{"/articles?sort=title,,status", []ParamProblem{{"sort", "empty_field", `sort: has an empty field (got "title,,status")`}}, ""},
			{"/articles?sort=" + strings.Repeat("x", 300), []ParamProblem{{"sort", "too_long", `sort: must be at most 256 bytes long (got 300 bytes)`}}, ""},
			{"/articles/feed?sort=-passwd", []ParamProblem{{"sort", "unknown_field", `sort: unknown field "passwd" (allowed: created_at, updated_at, title, status)`}}, ""},
			{"/articles?page_size=101", []ParamProblem{{"page_size", "max", `page_size: must be an integer from 1 to 100 (got 101)`}}, ""},
			{"/audit?page_size=101", []ParamProblem{{"page_size", "max", `page_size: must be an integer from 1 to 100 (got 101)`}}, ""},
			{"/articles/feed?limit=101", []ParamProblem{{"limit", "max", `limit: must be an integer from 1 to 100 (got 101)`}}, ""},
			{"/articles/feed?after=forged", []ParamProblem{{"after", "cursor", `after: must be a cursor as returned in next_cursor or prev_cursor`}}, ""},
			{"/articles/feed?before=" + strings.Repeat("A", 4097), []ParamProblem{{"before", "too_long", `before: must be at most 4096 bytes long (got 4097 bytes)`}}, ""},
			{"/articles/feed?after=abc&before=abc", []ParamProblem{{"before", "excluded_with", `before: must not be given with after; give one of them`}}, ""},
			{"/audit?entity_id=x&action=" + url.QueryEscape("a\x00"), []ParamProblem{
				{"action", "text", `action: must not contain NUL bytes`},
				{"entity_id", "uuid", `entity_id: must be a UUID, like 0190a7a4-7c1e-7000-8000-000000000001 (got "x")`},
			}, `action: must not contain NUL bytes (and 1 more: see params)`},
		}
		for _, c := range cases {
			t.Run(c.path[:min(len(c.path), 60)], func(t *testing.T) {
				wantParamBody(t, a.do("GET", c.path, nil), c.params, c.message)
			})
		}
	})
}

// TestCursorErrorBodies checks the 400 of a cursor that was altered or is
// used with another sort: the parameter, the rule and what to send.
func TestCursorErrorBodies(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{CursorKey: []byte("a test key of at least thirty-two bytes")})
		seedListing(t, a)
		var page pagination.CursorPage[Article]
		a.do("GET", "/articles/feed?sort=title&limit=2", nil).want(t, http.StatusOK, &page)
		// Another letter of the base64url alphabet in the middle: the
		// cursor still decodes, only its signature can tell.
		flipped := []byte(page.NextCursor)
		if mid := len(flipped) / 2; flipped[mid] == 'A' {
			flipped[mid] = 'B'
		} else {
			flipped[mid] = 'A'
		}
		const altered = "the cursor was altered, or was issued for another listing or sort; pass next_cursor or prev_cursor as returned, with the same sort"
		for _, c := range []struct{ query, param string }{
			{"sort=title&after=" + url.QueryEscape(string(flipped)), "after"},
			{"sort=-title&after=" + url.QueryEscape(page.NextCursor), "after"},
			{"before=" + url.QueryEscape(page.NextCursor), "before"},
		} {
			t.Run(c.query[:min(len(c.query), 40)], func(t *testing.T) {
				wantParamBody(t, a.do("GET", "/articles/feed?"+c.query, nil), []ParamProblem{{c.param, "cursor", c.param + ": " + altered}}, "")
			})
		}
	})
}

// wantParamBody checks that r is the 400 invalid_parameter of params, the
// first in param, rule and message (message, or when "" params[0]'s), with
// nothing about Go in any message.
func wantParamBody(t *testing.T, r response, params []ParamProblem, message string) {
	t.Helper()
	e := r.wantError(t, 400, "invalid_parameter")
	if message == "" {
		message = params[0].Message
	}
	if e.Param != params[0].Param || e.Rule != params[0].Rule || e.Message != message {
		t.Errorf("got  param %q rule %q message %q\nwant param %q rule %q message %q",
			e.Param, e.Rule, e.Message, params[0].Param, params[0].Rule, message)
	}
	if len(e.Params) != len(params) {
		t.Fatalf("params %+v, want %+v", e.Params, params)
	}
	for i, p := range params {
		if e.Params[i] != p {
			t.Errorf("params[%d] = %+v, want %+v", i, e.Params[i], p)
		}
		if leak := goTerms.FindString(e.Params[i].Message); leak != "" {
			t.Errorf("message %q speaks of Go: %q", e.Params[i].Message, leak)
		}
	}
	if leak := goTerms.FindString(e.Message); leak != "" {
		t.Errorf("message %q speaks of Go: %q", e.Message, leak)
	}
}

// goTerms are words of Go rather than of the API: validator and form
// texts, struct paths, indexes and type names.
var goTerms = regexp.MustCompile(`Key: |Field validation|Namespace|Error:|ArticleFilter|ArticleConditions|AuditFilter|PaginatedFilter|CursorFilter|[A-Z]\w*\.[A-Z]\w*|\w\[\d+\]|\b(u?int(8|16|32|64)?|float(32|64)|bool|struct|time\.Time|uuid\.UUID|malformed value for its type)\b`)
