package pagination_test

import (
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// pageGoTerms are words of Go rather than of an API: type and package
// names, struct fields, formatting verbs.
var pageGoTerms = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|bool|struct|string|nil|PaginatedFilter|CursorFilter|PageSize|After|Before|Limit|ErrInvalidPage|HMAC|base64|JSON|json|pagination)\b|%!|[A-Z]\w*\.[A-Z]\w*`)

// wantParamError checks that err is a *pagination.ParamError naming param
// and rule with message, word for word, that still matches ErrInvalidPage
// and says nothing about Go.
func wantParamError(t *testing.T, err error, param, rule, message string) {
	t.Helper()
	var pe *pagination.ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, not a *pagination.ParamError", err)
	}
	if pe.Param != param || pe.Rule != rule || pe.Message != message {
		t.Errorf("got  param %q rule %q message %q\nwant param %q rule %q message %q", pe.Param, pe.Rule, pe.Message, param, rule, message)
	}
	if !errors.Is(err, pagination.ErrInvalidPage) {
		t.Errorf("err = %v does not match ErrInvalidPage", err)
	}
	if err.Error() != "pagination: "+message {
		t.Errorf("Error() = %q, want the message after \"pagination: \"", err.Error())
	}
	if leak := pageGoTerms.FindString(pe.Message); leak != "" {
		t.Errorf("message %q speaks of Go: %q", pe.Message, leak)
	}
}

// TestPageParamErrors: every page input a client controls that Paginate
// rejects is a *ParamError naming the parameter, the rule and what the
// value must be.
func TestPageParamErrors(t *testing.T) {
	cases := []struct {
		f                    pagination.PaginatedFilter
		opts                 []pagination.Option
		param, rule, message string
	}{
		{pagination.PaginatedFilter{Page: -1}, nil, "page", "gte", "page: must be an integer ≥ 1 (got -1)"},
		{pagination.PaginatedFilter{Page: math.MinInt}, nil, "page", "gte", "page: must be an integer ≥ 1 (got -9223372036854775808)"},
		{pagination.PaginatedFilter{Page: 0, PageSize: -5}, nil, "page_size", "gte", "page_size: must be an integer from 1 to 100 (got -5)"},
		{pagination.PaginatedFilter{PageSize: 101}, nil, "page_size", "max", "page_size: must be an integer from 1 to 100 (got 101)"},
		{pagination.PaginatedFilter{PageSize: 11}, []pagination.Option{pagination.WithMaxPageSize(10)}, "page_size", "max", "page_size: must be an integer from 1 to 10 (got 11)"},
		{pagination.PaginatedFilter{Page: 51}, []pagination.Option{pagination.WithMaxPage(50)}, "page", "max", "page: must be an integer from 1 to 50 (got 51)"},
		{pagination.PaginatedFilter{Page: math.MaxInt, PageSize: 100}, nil, "page", "max", "page: must be an integer from 1 to 92233720368547759 when page_size is 100 (got 9223372036854775807)"},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedBooks(t, db)
		for _, c := range cases {
			_, err := pagination.Paginate[Author](db, c.f, c.opts...)
			wantParamError(t, err, c.param, c.rule, c.message)
		}
	})
}

// TestCursorParamErrors: every cursor input a client controls that
// PaginateCursor rejects (limit, both directions, a long, malformed,
// altered, foreign, mismatched or expired cursor) is a *ParamError.
func TestCursorParamErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedItems(t, db, 20)
		secret := []byte("0123456789abcdef0123456789abcdef")
		key := pagination.WithCursorKey(secret)
		order := orders["a nulls last, id"]
		first, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Limit: 3}, key)
		if err != nil {
			t.Fatal(err)
		}
		good := first.NextCursor
		// One character in the middle becomes another letter of the
		// base64url alphabet, so the cursor still decodes and only its
		// signature can tell (a flipped bit could leave the alphabet,
		// since the cursor carries its issue time).
		flipped := []byte(good)
		if mid := len(flipped) / 2; flipped[mid] == 'A' {
			flipped[mid] = 'B'
		} else {
			flipped[mid] = 'A'
		}
		const (
			altered  = "the cursor was altered, or was issued for another listing or sort; pass next_cursor or prev_cursor as returned, with the same sort"
			mismatch = "the cursor does not fit this sort; pass next_cursor or prev_cursor as returned, with the same sort"
			notOne   = "must be a cursor as returned in next_cursor or prev_cursor"
		)
		cases := []struct {
			name                 string
			order                []pagination.Order
			f                    pagination.CursorFilter
			opts                 []pagination.Option
			param, rule, message string
		}{
			{"negative limit", order, pagination.CursorFilter{Limit: -1}, nil, "limit", "gte", "limit: must be an integer from 1 to 100 (got -1)"},
			{"limit above the maximum", order, pagination.CursorFilter{Limit: 101}, nil, "limit", "max", "limit: must be an integer from 1 to 100 (got 101)"},
			{"both directions", order, pagination.CursorFilter{After: good, Before: good}, nil, "before", "excluded_with", "before: must not be given with after; give one of them"},
			{"overlong", order, pagination.CursorFilter{After: strings.Repeat("A", 5000)}, nil, "after", "too_long", "after: must be at most 4096 bytes long (got 5000 bytes)"},
			{"not base64", order, pagination.CursorFilter{After: "!!!"}, nil, "after", "cursor", "after: " + notOne},
			{"too short", order, pagination.CursorFilter{Before: "abcd"}, nil, "before", "cursor", "before: " + notOne},
			{"flipped", order, pagination.CursorFilter{After: string(flipped)}, nil, "after", "cursor", "after: " + altered},
			{"truncated", order, pagination.CursorFilter{Before: good[:len(good)-4]}, nil, "before", "cursor", "before: " + altered},
			{"another key", order, pagination.CursorFilter{After: good}, []pagination.Option{pagination.WithCursorKey([]byte("another key of at least thirty-two bytes"))}, "after", "cursor", "after: " + altered},
			{"another sort", orders["a desc, b, id desc"], pagination.CursorFilter{After: good}, nil, "after", "cursor", "after: " + altered},
			{"signed, one value short", order, pagination.CursorFilter{After: pagination.SignCursor(secret, "items", order, "1")}, nil, "after", "cursor", "after: " + mismatch},
			{"signed, wrong type", order, pagination.CursorFilter{After: pagination.SignCursor(secret, "items", order, `"one"`, "2")}, nil, "after", "cursor", "after: " + mismatch},
			{"expired", order, pagination.CursorFilter{Before: pagination.SignCursorAt(secret, "items", order, time.Now().Add(-time.Hour), "1", "2")},
				[]pagination.Option{pagination.WithCursorTTL(time.Minute)}, "before", "cursor_expired", "before: the cursor has expired; start again from the first page"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				opts := append([]pagination.Option{key}, c.opts...)
				_, err := pagination.PaginateCursor[Item](db, c.order, c.f, opts...)
				wantParamError(t, err, c.param, c.rule, c.message)
			})
		}
	})
}

// TestProgramErrorsAreNotParamErrors: an empty order comes from the
// program, not from a client, so it is no *ParamError (an API should not
// blame a parameter for it), though it still matches ErrInvalidPage.
func TestProgramErrorsAreNotParamErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedItems(t, db, 3)
		_, err := pagination.PaginateCursor[Item](db, nil, pagination.CursorFilter{})
		var pe *pagination.ParamError
		if !errors.Is(err, pagination.ErrInvalidPage) || errors.As(err, &pe) {
			t.Fatalf("empty order: err = %v (%T), want ErrInvalidPage and no *ParamError", err, err)
		}
	})
}
