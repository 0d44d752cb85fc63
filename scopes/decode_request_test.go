package scopes_test

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// malformedQueries are raw query strings url.ParseQuery drops pairs of
// (an unencoded ";", an invalid percent-escape), with the parameter errors
// DecodeQuery must report instead, word for word.
var malformedQueries = []struct {
	query string
	want  []scopes.ParamError // Param, Rule, Message
	page  bool                // pagination.ErrInvalidPage rather than ErrInvalidFilter
}{
	{"status_in=draft;published", []scopes.ParamError{{Param: "status_in", Rule: "semicolon",
		Message: `status_in: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, false},
	{"sort=title;DROP+TABLE+people", []scopes.ParamError{{Param: "sort", Rule: "semicolon",
		Message: `sort: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, false},
	{"sort=title;DROP%20TABLE", []scopes.ParamError{{Param: "sort", Rule: "semicolon",
		Message: `sort: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, false},
	{"page=1;2", []scopes.ParamError{{Param: "page", Rule: "semicolon",
		Message: `page: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, true},
	{"tag=ab&code=x;", []scopes.ParamError{{Param: "code", Rule: "semicolon",
		Message: `code: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, false},
	{";", []scopes.ParamError{{Param: ";", Rule: "semicolon",
		Message: `parameter name ";" must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, false},
	{"tag=a&;code=abc", []scopes.ParamError{{Param: ";code", Rule: "semicolon",
		Message: `parameter name ";code" must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, false},
	{"nope=1;tag=x", []scopes.ParamError{{Param: "nope", Rule: "semicolon",
		Message: `parameter "nope": must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`}}, false},
	{"tag=%zz", []scopes.ParamError{{Param: "tag", Rule: "escape",
		Message: `tag: must use valid percent-escapes (got "%zz"; write a literal % as %25)`}}, false},
	{"tag=100%", []scopes.ParamError{{Param: "tag", Rule: "escape",
		Message: `tag: must use valid percent-escapes (got "%"; write a literal % as %25)`}}, false},
	{"limit=%4", []scopes.ParamError{{Param: "limit", Rule: "escape",
		Message: `limit: must use valid percent-escapes (got "%4"; write a literal % as %25)`}}, true},
	{"%zz=1", []scopes.ParamError{{Param: "%zz", Rule: "escape",
		Message: `parameter name "%zz" must use valid percent-escapes (got "%zz"; write a literal % as %25)`}}, false},
	{"tag=a;b&code=%g0&tag=c", []scopes.ParamError{
		{Param: "code", Rule: "escape", Message: `code: must use valid percent-escapes (got "%g0"; write a literal % as %25)`},
		{Param: "tag", Rule: "semicolon", Message: `tag: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`},
	}, false},
}

// TestDecodeQueryMalformed checks that every pair url.ParseQuery would
// drop is a parameter error of DecodeQuery and DecodeRequest, and that
// Decode on what url.ParseQuery keeps does not see it.
func TestDecodeQueryMalformed(t *testing.T) {
	for _, c := range malformedQueries {
		t.Run(c.query, func(t *testing.T) {
			var f ruleFilter
			checkMalformed(t, scopes.DecodeQuery(c.query, &f), c.want, c.page)
			r := httptest.NewRequest("GET", "/articles?"+c.query, nil)
			checkMalformed(t, scopes.DecodeRequest(r, &f), c.want, c.page)
		})
	}
}

func checkMalformed(t *testing.T, err error, want []scopes.ParamError, page bool) {
	t.Helper()
	var all scopes.ParamErrors
	if !errors.As(err, &all) {
		t.Fatalf("error %v, want scopes.ParamErrors", err)
	}
	if len(all) != len(want) {
		t.Fatalf("got %d errors (%v), want %d", len(all), err, len(want))
	}
	for i, w := range want {
		if all[i].Param != w.Param || all[i].Rule != w.Rule || all[i].Message != w.Message {
			t.Errorf("error %d:\ngot  %q %q %q\nwant %q %q %q", i, all[i].Param, all[i].Rule, all[i].Message, w.Param, w.Rule, w.Message)
		}
	}
	if !errors.Is(err, scopes.ErrInvalidFilter) && !page {
		t.Errorf("%v does not match ErrInvalidFilter", err)
	}
	if errors.Is(err, pagination.ErrInvalidPage) != page {
		t.Errorf("%v: errors.Is(err, pagination.ErrInvalidPage) = %v, want %v", err, !page, page)
	}
}

// TestDecodeQueryStrictEvenWhenIgnored checks that a malformed pair is
// refused even when its parameter is ignored or unknown ones are allowed:
// a ";" the client meant as a separator may hide a filter behind it.
func TestDecodeQueryStrictEvenWhenIgnored(t *testing.T) {
	var f ruleFilter
	if err := scopes.DecodeQuery("utm_source=a;tag=xy", &f, scopes.Ignore("utm_source")); !errors.Is(err, scopes.ErrInvalidFilter) {
		t.Errorf("ignored parameter with a semicolon: %v, want ErrInvalidFilter", err)
	}
	if err := scopes.DecodeQuery("other=%zz", &f, scopes.AllowUnknown()); !errors.Is(err, scopes.ErrInvalidFilter) {
		t.Errorf("unknown parameter with a bad escape under AllowUnknown: %v, want ErrInvalidFilter", err)
	}
}

// TestDecodeQueryAccepts checks that DecodeQuery reads well-formed query
// strings as url.ParseQuery and Decode do: %3B is a literal semicolon,
// + a space, empty pairs are skipped.
func TestDecodeQueryAccepts(t *testing.T) {
	for _, q := range []string{
		"", "&", "tag=a%3Bb", "tag=a+b&status_in=draft&&status_in=published", "code=abc&sort=-tag%2Ccode&page=2",
		"%74ag=ab", "tag=%E2%82%AC%25", "tag=",
	} {
		t.Run(q, func(t *testing.T) {
			var got, want ruleFilter
			if err := scopes.DecodeQuery(q, &got); err != nil {
				t.Fatalf("DecodeQuery: %v", err)
			}
			values, err := url.ParseQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			if err := scopes.Decode(values, &want); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeQuery filled %+v, Decode %+v", got, want)
			}
		})
	}
	var f ruleFilter
	if err := scopes.DecodeQuery("tag=a%3Bb", &f); err != nil || f.Tag != "a;b" {
		t.Errorf("tag=a%%3Bb: %q, %v; want the literal a;b", f.Tag, err)
	}
}

// TestDecodeQueryTarget checks that a destination that is not a pointer to
// a struct is the caller's error, whatever the query.
func TestDecodeQueryTarget(t *testing.T) {
	var f ruleFilter
	for _, dst := range []any{nil, f, new(int)} {
		err := scopes.DecodeQuery("tag=a;b", dst)
		if err == nil || errors.Is(err, scopes.ErrInvalidFilter) || !strings.Contains(err.Error(), "pointer to a struct") {
			t.Errorf("DecodeQuery into %T: %v, want the caller's error", dst, err)
		}
	}
	if err := scopes.DecodeRequest(httptest.NewRequest("GET", "/", nil), &f); err != nil {
		t.Errorf("DecodeRequest without a query: %v", err)
	}
}
