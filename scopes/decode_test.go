package scopes_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDecodeIssueExample(t *testing.T) {
	var f PersonFilter
	q := mustQuery(t, "name_icontains=ann&age_gte=18&status_in=a,b&sort=-created_at&page=2&page_size=50")
	if err := scopes.Decode(q, &f); err != nil {
		t.Fatal(err)
	}
	if f.NameIContains == nil || *f.NameIContains != "ann" {
		t.Errorf("name_icontains = %v", f.NameIContains)
	}
	if f.AgeGte == nil || *f.AgeGte != 18 {
		t.Errorf("age_gte = %v", f.AgeGte)
	}
	if !slices.Equal(f.StatusIn, []string{"a", "b"}) {
		t.Errorf("status_in = %q", f.StatusIn)
	}
	if f.Sort != "-created_at" || f.Page != 2 || f.PageSize != 50 {
		t.Errorf("sort, page, page_size = %q, %d, %d", f.Sort, f.Page, f.PageSize)
	}
	if f.Name != nil || f.IDIn != nil || f.EmailIsNull != nil {
		t.Errorf("absent parameters were set: %+v", f)
	}
}

func TestDecodeLists(t *testing.T) {
	var f PersonFilter
	if err := scopes.Decode(mustQuery(t, "status_in=a&status_in=b,c,&id_in=1,2&email_isnull=false&after=x&limit=5"), &f); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.StatusIn, []string{"a", "b", "c"}) || !slices.Equal(f.IDIn, []int64{1, 2}) {
		t.Fatalf("lists: %q %v", f.StatusIn, f.IDIn)
	}
	if f.EmailIsNull == nil || *f.EmailIsNull || f.After != "x" || f.Limit != 5 {
		t.Fatalf("email_isnull=%v after=%q limit=%d", f.EmailIsNull, f.After, f.Limit)
	}
}

type typedFilter struct {
	ID      *uuid.UUID `form:"id" filter:"id"`
	Since   *time.Time `form:"since" filter:"created_at,gte"`
	Code    string     `form:"code" validate:"omitempty,alphanum,len=3"`
	Ignored string     `form:"-"`
	NoTag   string
}

func TestDecodeTypes(t *testing.T) {
	var f typedFilter
	q := mustQuery(t, "id=0190a7a4-0000-7000-8000-000000000001&since=2026-01-02T03:04:05Z&code=ab1")
	if err := scopes.Decode(q, &f); err != nil {
		t.Fatal(err)
	}
	if f.ID == nil || f.ID.String() != "0190a7a4-0000-7000-8000-000000000001" {
		t.Errorf("id = %v", f.ID)
	}
	if f.Since == nil || !f.Since.Equal(t0) {
		t.Errorf("since = %v", f.Since)
	}
	for _, raw := range []string{"NoTag=x", "Ignored=x", "-=x"} {
		if err := scopes.Decode(mustQuery(t, raw), &typedFilter{}); !errors.Is(err, scopes.ErrInvalidFilter) {
			t.Errorf("%s: err = %v, want unknown parameter", raw, err)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := []struct {
		query string
		page  bool // ErrInvalidPage rather than ErrInvalidFilter
		msg   string
	}{
		{"passwd=x", false, `unknown parameter "passwd"`},
		{"name_icontains[0]=x", false, "unknown parameter"},
		{"PaginatedFilter.page=2", false, "unknown parameter"},
		{"age_gte=abc", false, `age_gte: must be an integer (got "abc")`},
		{"age_gte=99999999999999999999", false, "age_gte: must be an integer from -9223372036854775808 to 9223372036854775807"},
		{"age_gte=-1", false, `age_gte: must be an integer ≥ 0 (got "-1")`},
		{"age_gte=200", false, `age_gte: must be an integer ≤ 150`},
		{"name_icontains=" + strings.Repeat("a", 101), false, "name_icontains: must be at most 100 characters long"},
		{"name_icontains=" + strings.Repeat("a", 2000), false, "at most 1024 bytes"},
		{"name=a&name=b", false, "name: must be given once (got 2 values)"},
		{"name=a%00b", false, "name: must not contain NUL bytes"},
		{"name=%ff", false, "name: must be valid UTF-8 text"},
		{"email_isnull=maybe", false, `email_isnull: must be true or false (got "maybe")`},
		{"id_in=1,x", false, `id_in: each value must be an integer (got "x")`},
		{strings.Repeat("id_in=1&", 1001), false, "id_in: must have at most 1000 values (got 1001)"},
		{"page=0", true, `page: must be an integer ≥ 1 (got "0")`},
		{"page=-3", true, "page: must be an integer ≥ 1"},
		{"page=abc", true, "page: must be an integer ≥ 1"},
		{"page=99999999999999999999", true, "page: must be an integer from 1 to"},
		{"page_size=0", true, "page_size: must be an integer ≥ 1"},
		{"limit=-1", true, "limit: must be an integer ≥ 1"},
		{"page=1&page=2", true, "page: must be given once"},
		{"after=" + strings.Repeat("x", 5000), true, "at most 4096 bytes"},
	}
	for _, c := range cases {
		var f PersonFilter
		err := scopes.Decode(mustQuery(t, c.query), &f)
		want := scopes.ErrInvalidFilter
		if c.page {
			want = pagination.ErrInvalidPage
		}
		if !errors.Is(err, want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%.50s: err = %v, want %v containing %q", c.query, err, want, c.msg)
		}
		if len(err.Error()) > 400 {
			t.Errorf("%.50s: message of %d bytes echoes the input", c.query, len(err.Error()))
		}
	}
}

func TestDecodeValidationDetails(t *testing.T) {
	var f PersonFilter
	err := scopes.Decode(mustQuery(t, "age_gte=-5"), &f)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) || verrs[0].Field() != "age_gte" {
		t.Fatalf("err = %v, want validator.ValidationErrors naming age_gte", err)
	}
}

func TestDecodeOptions(t *testing.T) {
	q := mustQuery(t, "utm_source=x&name=Ann")
	var f PersonFilter
	if err := scopes.Decode(q, &f, scopes.Ignore("utm_source")); err != nil || *f.Name != "Ann" {
		t.Fatalf("Ignore: %v", err)
	}
	if err := scopes.Decode(mustQuery(t, "anything=1&name=Bob"), &f, scopes.AllowUnknown()); err != nil || *f.Name != "Bob" {
		t.Fatalf("AllowUnknown: %v", err)
	}
	if err := scopes.Decode(mustQuery(t, "other=1"), &f, scopes.Ignore("utm_source")); !errors.Is(err, scopes.ErrInvalidFilter) {
		t.Fatalf("Ignore let another parameter through: %v", err)
	}
	if err := scopes.Decode(q, f); err == nil {
		t.Fatal("Decode into a non-pointer succeeded")
	}
}

func TestDecodeMessagesCutInput(t *testing.T) {
	long := strings.Repeat("\x00évil", 500)
	err := scopes.Decode(url.Values{long: {"1"}}, &PersonFilter{})
	if !errors.Is(err, scopes.ErrInvalidFilter) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\x00") || !strings.Contains(msg, `\x00`) || !strings.Contains(msg, "(3000 bytes)") {
		t.Fatalf("message does not quote and cut the name: %.200q", msg)
	}
}
