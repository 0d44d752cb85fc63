package scopes_test

import (
	"errors"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// ruleFilter carries a parameter of every type Decode reads and the
// validate rules a filter struct commonly holds.
type ruleFilter struct {
	StatusIn []string       `form:"status_in" validate:"max=2,dive,oneof=draft published"`
	Code     string         `form:"code" validate:"omitempty,alphanum,len=3"`
	Email    string         `form:"email" validate:"omitempty,email"`
	Ref      string         `form:"ref" validate:"omitempty,uuid"`
	Link     string         `form:"link" validate:"omitempty,url"`
	Day      string         `form:"day" validate:"omitempty,datetime=2006-01-02"`
	Tag      string         `form:"tag" validate:"omitempty,min=2,max=5"`
	Prefix   string         `form:"prefix" validate:"omitempty,startswith=ab"`
	Addr     string         `form:"addr" validate:"omitempty,hostname_port"`
	AgeGte   *int           `form:"age_gte" validate:"omitempty,gte=0,lte=150"`
	Small    *int8          `form:"small"`
	Count    *uint8         `form:"count"`
	ScoreGt  *float64       `form:"score_gt" validate:"omitempty,gt=0.5"`
	Active   *bool          `form:"active"`
	Since    *time.Time     `form:"since"`
	Until    *time.Time     `form:"until" validate:"omitempty,gtfield=Since"`
	Due      *time.Time     `form:"due" validate:"omitempty,gt"`
	ID       *uuid.UUID     `form:"id"`
	Within   *time.Duration `form:"within" validate:"omitempty,lte=24h"`
	IDIn     []int64        `form:"id_in" validate:"max=3"`
	scopes.Sorting
	pagination.PaginatedFilter
	pagination.CursorFilter
}

// requiredFilter has required parameters.
type requiredFilter struct {
	Region string `form:"region" validate:"required"`
	Zone   string `form:"zone" validate:"required_with=Region"`
}

const ruleParams = "active, addr, after, age_gte, before, code, count, day, due, email, id, id_in, limit, link, page, page_size, prefix, ref, score_gt, since, small, sort, status_in, tag, until, within"

// badQueries are query strings Decode rejects, with the one parameter
// error each must produce, word for word.
var badQueries = []struct {
	query   string
	param   string
	rule    string
	page    bool // pagination.ErrInvalidPage rather than ErrInvalidFilter
	message string
}{
	// validate rules
	{"status_in=archived", "status_in", "oneof", false, `status_in: each value must be one of draft, published (got "archived")`},
	{"status_in=draft,published,draft", "status_in", "max", false, `status_in: must have at most 2 values`},
	{"code=ab", "code", "len", false, `code: must be exactly 3 characters long (got "ab")`},
	{"code=a-c", "code", "alphanum", false, `code: must hold only letters and digits (got "a-c")`},
	{"email=nobody", "email", "email", false, `email: must be an e-mail address (got "nobody")`},
	{"ref=123", "ref", "uuid", false, `ref: must be a UUID (got "123")`},
	{"link=not+a+url", "link", "url", false, `link: must be a URL (got "not a url")`},
	{"day=31/01/2026", "day", "datetime", false, `day: must be a date or time written like 2006-01-02 (got "31/01/2026")`},
	{"tag=a", "tag", "min", false, `tag: must be at least 2 characters long (got "a")`},
	{"tag=abcdéf", "tag", "max", false, `tag: must be at most 5 characters long (got "abcdéf")`},
	{"prefix=xyz", "prefix", "startswith", false, `prefix: must start with "ab" (got "xyz")`},
	{"addr=x", "addr", "hostname_port", false, `addr: must satisfy the rule "hostname_port" (got "x")`},
	{"age_gte=-1", "age_gte", "gte", false, `age_gte: must be an integer ≥ 0 (got "-1")`},
	{"age_gte=151", "age_gte", "lte", false, `age_gte: must be an integer ≤ 150 (got "151")`},
	{"score_gt=0.5", "score_gt", "gt", false, `score_gt: must be a number > 0.5 (got "0.5")`},
	{"since=2026-01-31T10:00:00Z&until=2026-01-30T10:00:00Z", "until", "gtfield", false, `until: must be later than since (got "2026-01-30T10:00:00Z")`},
	{"due=2000-01-01T00:00:00Z", "due", "gt", false, `due: must be in the future (got "2000-01-01T00:00:00Z")`},
	{"within=25h", "within", "lte", false, `within: must be a duration ≤ 24h (got "25h")`},
	{"id_in=1,2,3,4", "id_in", "max", false, `id_in: must have at most 3 values`},

	// values of the wrong type
	{"age_gte=abc", "age_gte", "integer", false, `age_gte: must be an integer (got "abc")`},
	{"age_gte=1.5", "age_gte", "integer", false, `age_gte: must be an integer (got "1.5")`},
	{"age_gte=99999999999999999999", "age_gte", "integer", false, `age_gte: must be an integer from -9223372036854775808 to 9223372036854775807 (got "99999999999999999999")`},
	{"small=200", "small", "integer", false, `small: must be an integer from -128 to 127 (got "200")`},
	{"count=-1", "count", "integer", false, `count: must be an integer ≥ 0 (got "-1")`},
	{"count=256", "count", "integer", false, `count: must be an integer from 0 to 255 (got "256")`},
	{"score_gt=abc", "score_gt", "number", false, `score_gt: must be a number (got "abc")`},
	{"score_gt=NaN", "score_gt", "number", false, `score_gt: must be a finite number (got "NaN")`},
	{"score_gt=1e400", "score_gt", "number", false, `score_gt: must be a finite number (got "1e400")`},
	{"active=maybe", "active", "boolean", false, `active: must be true or false (got "maybe")`},
	{"since=yesterday", "since", "time", false, `since: must be an RFC 3339 time, like 2026-01-31T10:00:00Z (got "yesterday")`},
	{"since=2026-01-31", "since", "time", false, `since: must be an RFC 3339 time, like 2026-01-31T10:00:00Z (got "2026-01-31")`},
	{"id=123", "id", "uuid", false, `id: must be a UUID, like 0190a7a4-7c1e-7000-8000-000000000001 (got "123")`},
	{"id=", "id", "uuid", false, `id: must be a UUID, like 0190a7a4-7c1e-7000-8000-000000000001 (got "")`},
	{"within=1d", "within", "duration", false, `within: must be a duration, like 90s, 15m or 2h30m (got "1d")`},
	{"id_in=1,x", "id_in", "integer", false, `id_in: each value must be an integer (got "x")`},

	// parameters Decode refuses before reading them
	{"passwd=x", "passwd", "unknown", false, `unknown parameter "passwd" (allowed: ` + ruleParams + `)`},
	{"status_in[0]=draft", "status_in[0]", "unknown", false, `unknown parameter "status_in[0]" (allowed: ` + ruleParams + `)`},
	{"tag=a&tag=b", "tag", "repeated", false, `tag: must be given once (got 2 values)`},
	{"tag=" + strings.Repeat("a", 2000), "tag", "too_long", false, `tag: must be at most 1024 bytes long (got 2000 bytes)`},
	{"tag=a%00b", "tag", "text", false, `tag: must not contain NUL bytes`},
	{"tag=%ff", "tag", "text", false, `tag: must be valid UTF-8 text`},
	{strings.Repeat("id_in=1&", 1001), "id_in", "too_many", false, `id_in: must have at most 1000 values (got 1001)`},

	// page parameters
	{"page=0", "page", "gte", true, `page: must be an integer ≥ 1 (got "0")`},
	{"page=abc", "page", "integer", true, `page: must be an integer ≥ 1 (got "abc")`},
	{"page=99999999999999999999", "page", "integer", true, `page: must be an integer from 1 to 9223372036854775807 (got "99999999999999999999")`},
	{"page_size=-20", "page_size", "gte", true, `page_size: must be an integer ≥ 1 (got "-20")`},
	{"limit=0x10", "limit", "integer", true, `limit: must be an integer ≥ 1 (got "0x10")`},
	{"page=1&page=2", "page", "repeated", true, `page: must be given once (got 2 values)`},
	{"after=" + strings.Repeat("x", 5000), "after", "too_long", true, `after: must be at most 4096 bytes long (got 5000 bytes)`},
}

// TestDecodeMessages checks, for each bad query, the client message, the
// parameter and the rule of the error, its sentinel, and that no message
// says anything about Go.
func TestDecodeMessages(t *testing.T) {
	for _, c := range badQueries {
		t.Run(c.query[:min(len(c.query), 60)], func(t *testing.T) {
			values, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			err = scopes.Decode(values, &ruleFilter{})
			checkParamError(t, err, c.page, c.param, c.rule, c.message)
		})
	}
}

func TestDecodeRequiredMessages(t *testing.T) {
	for _, c := range []struct{ query, param, rule, message string }{
		{"", "region", "required", "region: is required"},
		{"region=eu", "zone", "required_with", "zone: is required when region is given"},
	} {
		values, _ := url.ParseQuery(c.query)
		checkParamError(t, scopes.Decode(values, &requiredFilter{}), false, c.param, c.rule, c.message)
	}
}

func checkParamError(t *testing.T, err error, page bool, param, rule, message string) {
	t.Helper()
	want := scopes.ErrInvalidFilter
	if page {
		want = pagination.ErrInvalidPage
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	var pe *scopes.ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, not a *scopes.ParamError", err)
	}
	if pe.Param != param || pe.Rule != rule || pe.Message != message {
		t.Errorf("got  {%q, %q, %q}\nwant {%q, %q, %q}", pe.Param, pe.Rule, pe.Message, param, rule, message)
	}
	if err.Error() != "scopes: "+message {
		t.Errorf("Error() = %q, want the message after \"scopes: \"", err.Error())
	}
	if leak := goInternals(err.Error(), reflect.TypeFor[ruleFilter](), reflect.TypeFor[PersonFilter]()); leak != "" {
		t.Errorf("message %q speaks of Go: %q", err.Error(), leak)
	}
}

// goTerms are words of Go, not of the API: validator and form texts,
// field paths and indexes, type names.
var goTerms = regexp.MustCompile(`Key: |Field validation|Namespace|Error:|[A-Za-z_]\w*\.[A-Za-z_]\w*|\[\d+\]|\b(u?int(8|16|32|64)?|float(32|64)|complex(64|128)|bool|string|rune|byte|struct|map|slice|ptr|uintptr|interface|Duration|Time|reflect)\b|malformed value for its type`)

// clientName is the name of an unknown or malformed parameter, as the
// client wrote it.
var clientName = regexp.MustCompile(`^(?:unknown parameter|parameter name|parameter) "(?:[^"\\]|\\.)*"`)

// goInternals returns the first Go term in msg, or a Go field name of one
// of types, or "".
func goInternals(msg string, types ...reflect.Type) string {
	body, _, _ := strings.Cut(strings.TrimPrefix(msg, "scopes: "), " (got ")
	body = clientName.ReplaceAllString(body, "unknown parameter")
	body = strings.ReplaceAll(body, "RFC 3339", "")
	if m := goTerms.FindString(body); m != "" {
		return m
	}
	for _, t := range types {
		for _, name := range goFieldNames(t) {
			if regexp.MustCompile(`\b` + name + `\b`).MatchString(body) {
				return name
			}
		}
	}
	return ""
}

func goFieldNames(t reflect.Type) []string {
	names := []string{t.Name()}
	for i := range t.NumField() {
		f := t.Field(i)
		names = append(names, f.Name)
		if f.Anonymous {
			names = append(names, goFieldNames(f.Type)...)
		}
	}
	return names
}

// TestDecodeSeveralParams: every failed parameter is reported, sorted by
// name, and errors.As reaches each.
func TestDecodeSeveralParams(t *testing.T) {
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"tag=a&tag=b&age_gte=x&page=0", []string{"age_gte", "page", "tag"}},
		{"status_in=archived&age_gte=-1&code=ab", []string{"age_gte", "code", "status_in"}},
	} {
		values, _ := url.ParseQuery(c.query)
		err := scopes.Decode(values, &ruleFilter{})
		var all scopes.ParamErrors
		if !errors.As(err, &all) {
			t.Fatalf("%s: err = %v, not scopes.ParamErrors", c.query, err)
		}
		var got []string
		for _, pe := range all {
			got = append(got, pe.Param)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: params %q, want %q", c.query, got, c.want)
		}
		if !errors.Is(err, scopes.ErrInvalidFilter) {
			t.Errorf("%s: err = %v, want ErrInvalidFilter", c.query, err)
		}
	}
	values, _ := url.ParseQuery("tag=a&tag=b&age_gte=x&page=0")
	if err := scopes.Decode(values, &ruleFilter{}); !errors.Is(err, pagination.ErrInvalidPage) {
		t.Errorf("err = %v: a bad page among other errors must still match ErrInvalidPage", err)
	}
}

// TestDecodeUnknownAlone: an unknown parameter is reported alone, the
// first in name order, whatever else is wrong.
func TestDecodeUnknownAlone(t *testing.T) {
	values, _ := url.ParseQuery("zz=1&aa=1&age_gte=x")
	err := scopes.Decode(values, &ruleFilter{})
	var all scopes.ParamErrors
	if !errors.As(err, &all) || len(all) != 1 || all[0].Param != "aa" || all[0].Rule != "unknown" {
		t.Fatalf("err = %#v, want the unknown parameter aa alone", err)
	}
}

// TestDecodeErrorCap: at most five parameters are reported.
func TestDecodeErrorCap(t *testing.T) {
	values, _ := url.ParseQuery("tag=a&tag=b&code=1&code=2&day=1&day=2&email=1&email=2&link=1&link=2&ref=1&ref=2&prefix=1&prefix=2")
	var all scopes.ParamErrors
	if err := scopes.Decode(values, &ruleFilter{}); !errors.As(err, &all) || len(all) != 5 {
		t.Fatalf("err = %v, want 5 parameter errors", err)
	}
}

// TestDecodeDuration: a duration parameter takes Go's duration syntax.
func TestDecodeDuration(t *testing.T) {
	var f ruleFilter
	if err := scopes.Decode(url.Values{"within": {"1h30m"}}, &f); err != nil || f.Within == nil || *f.Within != 90*time.Minute {
		t.Fatalf("within = %v, err %v; want 1h30m", f.Within, err)
	}
}
