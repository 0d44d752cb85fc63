package scopes_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// wantParam checks that err is a *scopes.ParamError naming param and rule
// with message, word for word, matching sentinel, saying nothing about Go.
func wantParam(t *testing.T, err, sentinel error, param, rule, message string) {
	t.Helper()
	var pe *scopes.ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, not a *scopes.ParamError", err)
	}
	if pe.Param != param || pe.Rule != rule || pe.Message != message {
		t.Errorf("got  param %q rule %q message %q\nwant param %q rule %q message %q", pe.Param, pe.Rule, pe.Message, param, rule, message)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("err = %v does not match %v", err, sentinel)
	}
	if leak := goInternals(pe.Message, reflect.TypeFor[PersonFilter](), reflect.TypeFor[Person]()); leak != "" {
		t.Errorf("message %q speaks of Go: %q", pe.Message, leak)
	}
}

// wantProgramError checks that err matches ErrInvalidFilter and mentions
// msg but is no *ParamError: the mistake is the program's, not a
// parameter's.
func wantProgramError(t *testing.T, err error, msg string) {
	t.Helper()
	var pe *scopes.ParamError
	if !errors.Is(err, scopes.ErrInvalidFilter) || errors.As(err, &pe) || !strings.Contains(err.Error(), msg) {
		t.Errorf("err = %v (%T), want ErrInvalidFilter containing %q and no *ParamError", err, err, msg)
	}
}

// TestSortParamErrors: a sort spec a client sent that Sort, SortKeys or
// ParseSort rejects is a *ParamError of the parameter "sort".
func TestSortParamErrors(t *testing.T) {
	byDomain := pagination.Expr[string]("email_domain", "LOWER(email)")
	keys := scopes.SortKeys{Fields: []string{"name", "age", "status", "score"}, Exprs: []pagination.Expression{byDomain}}
	cases := []struct {
		spec, rule, message string
	}{
		{"passwd", "unknown_field", `sort: unknown field "passwd" (allowed: name, age, status, score, email_domain)`},
		{"name; DROP TABLE people", "unknown_field", `sort: unknown field "name; DROP TABLE people" (allowed: name, age, status, score, email_domain)`},
		{"email_domian", "unknown_field", `sort: unknown field "email_domian" (allowed: name, age, status, score, email_domain)`},
		{"name,-name", "duplicate_field", `sort: field "name" given twice`},
		{"email_domain,email_domain", "duplicate_field", `sort: field "email_domain" given twice`},
		{"name,", "empty_field", `sort: has an empty field (got "name,")`},
		{"-", "empty_field", `sort: has an empty field (got "-")`},
		{"age:nullsup", "modifier", `sort: field "age" has an unknown modifier "nullsup" (allowed: nullsfirst, nullslast)`},
		{"name,age,status,score,email_domain", "too_many", `sort: must have at most 4 fields (got 5)`},
		{strings.Repeat("a", 300), "too_long", `sort: must be at most 256 bytes long (got 300 bytes)`},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		s := schemaOf(t, db, &Person{})
		for _, c := range cases {
			var ps []Person
			wantParam(t, db.Scopes(keys.Sort(c.spec)).Find(&ps).Error, scopes.ErrInvalidFilter, "sort", c.rule, c.message)
			_, err := keys.Parse(s, c.spec)
			wantParam(t, err, scopes.ErrInvalidFilter, "sort", c.rule, c.message)
		}
		var ps []Person
		err := db.Scopes(scopes.Sort("passwd", "name")).Find(&ps).Error
		wantParam(t, err, scopes.ErrInvalidFilter, "sort", "unknown_field", `sort: unknown field "passwd" (allowed: name)`)
		if want := `scopes: sort: unknown field "passwd" (allowed: name)`; err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
		// An allowed field the model lacks is the program's mistake.
		wantProgramError(t, db.Scopes(scopes.Sort("name", "name", "nope")).Find(&ps).Error, `sort field "nope" is allowed but the model Person has no such column`)
	})
}

// TestFilterAndSearchParamErrors: values a client controls that Filter and
// Search reject are *ParamErrors named by the field's form tag (or json
// tag, or column) and Searching's "q".
func TestFilterAndSearchParamErrors(t *testing.T) {
	type jsonFilter struct {
		Name    string   `json:"who,omitempty" filter:"name"`
		Status  []string `filter:"status,in"`
		Missing string   `form:"missing" filter:"nope"`
	}
	many := make([]int64, scopes.MaxInValues+1)
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		find := func(scope func(*gorm.DB) *gorm.DB) error {
			var ps []Person
			return db.Scopes(scope).Find(&ps).Error
		}
		wantParam(t, find(scopes.Filter(PersonFilter{Name: ptr("a\x00b")})), scopes.ErrInvalidFilter, "name", "text", "name: must not contain NUL bytes")
		wantParam(t, find(scopes.Filter(PersonFilter{StatusIn: []string{"ok", "\xff"}})), scopes.ErrInvalidFilter, "status_in", "text", "status_in: must be valid UTF-8 text")
		wantParam(t, find(scopes.Filter(&PersonFilter{IDIn: many})), scopes.ErrInvalidFilter, "id_in", "too_many", "id_in: must have at most 1000 values (got 1001)")
		wantParam(t, find(scopes.Filter(jsonFilter{Name: "\x00"})), scopes.ErrInvalidFilter, "who", "text", "who: must not contain NUL bytes")
		wantParam(t, find(scopes.Filter(jsonFilter{Status: []string{"\x00"}})), scopes.ErrInvalidFilter, "status", "text", "status: must not contain NUL bytes")
		wantProgramError(t, find(scopes.Filter(jsonFilter{Missing: "x"})), `the model Person has no column "nope"`)

		wantParam(t, find(scopes.Search(strings.Repeat("x", 300), "name")), scopes.ErrInvalidFilter, "q", "too_long", "q: must be at most 256 bytes long (got 300 bytes)")
		wantParam(t, find(scopes.Search("a\x00", "name")), scopes.ErrInvalidFilter, "q", "text", "q: must not contain NUL bytes")
		wantProgramError(t, find(scopes.Search("a", "nope")), `no column "nope"`)
	})
}

// TestOperationsParamErrors: every QueryOperations method reports a
// client's sort, search, page and cursor values as *scopes.ParamError with
// the parameter's name, page errors still matching ErrInvalidPage; a
// DefaultSort the model rejects is the program's mistake.
func TestOperationsParamErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		ops := tenantOps()
		ctx := ctxWith(db)
		bad := PersonFilter{Sorting: scopes.Sorting{Sort: "passwd"}}
		const unknown = `sort: unknown field "passwd" (allowed: name, age, created_at, score)`
		_, err := ops.List(ctx, bad)
		wantParam(t, err, scopes.ErrInvalidFilter, "sort", "unknown_field", unknown)
		_, err = ops.Paginate(ctx, bad)
		wantParam(t, err, scopes.ErrInvalidFilter, "sort", "unknown_field", unknown)
		_, err = ops.PaginateCursor(ctx, bad)
		wantParam(t, err, scopes.ErrInvalidFilter, "sort", "unknown_field", unknown)

		_, err = ops.List(ctx, PersonFilter{Searching: scopes.Searching{Q: strings.Repeat("x", 257)}})
		wantParam(t, err, scopes.ErrInvalidFilter, "q", "too_long", "q: must be at most 256 bytes long (got 257 bytes)")

		_, err = ops.Paginate(ctx, PersonFilter{PaginatedFilter: pagination.PaginatedFilter{PageSize: 4}})
		wantParam(t, err, pagination.ErrInvalidPage, "page_size", "max", "page_size: must be an integer from 1 to 3 (got 4)")
		_, err = ops.PaginateCursor(ctx, PersonFilter{CursorFilter: pagination.CursorFilter{Limit: 4}})
		wantParam(t, err, pagination.ErrInvalidPage, "limit", "max", "limit: must be an integer from 1 to 3 (got 4)")
		_, err = ops.PaginateCursor(ctx, PersonFilter{CursorFilter: pagination.CursorFilter{After: "forged"}})
		wantParam(t, err, pagination.ErrInvalidPage, "after", "cursor", "after: must be a cursor as returned in next_cursor or prev_cursor")

		ops.DefaultSort = "passwd"
		for name, call := range map[string]func() error{
			"List":           func() error { _, err := ops.List(ctx, PersonFilter{}); return err },
			"Paginate":       func() error { _, err := ops.Paginate(ctx, PersonFilter{}); return err },
			"PaginateCursor": func() error { _, err := ops.PaginateCursor(ctx, PersonFilter{}); return err },
		} {
			t.Run(name, func(t *testing.T) {
				wantProgramError(t, call(), `default sort: unknown field "passwd"`)
			})
		}
	})
}
