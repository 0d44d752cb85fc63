package pagination

import (
	"errors"
	"fmt"

	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/paramerr"
)

// ErrInvalidPage is matched (with errors.Is) by every rejected page input: a
// page or page size out of range, a cursor limit out of range, an empty
// order (at every entry point: PaginateCursor, CursorOf, OrderBy), both After
// and Before set, and a cursor that is malformed, altered, signed with
// another key, issued for another listing or sort, or expired. The message
// names the parameter and what is allowed.
//
// Every rejected value a client controls (page, page_size, after, before,
// limit) is also a [*ParamError], found with errors.As, whose Param, Rule
// and Message an API can return; an empty order, which comes from the
// program, is not.
var ErrInvalidPage = errors.New("pagination: invalid page")

// ParamError is one page parameter a client sent and Paginate or
// PaginateCursor rejected: Param is its name as PaginatedFilter and
// CursorFilter declare it ("page", "page_size", "after", "before",
// "limit"), Rule a stable code of the check it failed ("gte", "max",
// "excluded_with", "too_long", "cursor", "cursor_expired") and Message the
// text for the client, which names the parameter and says what it must be,
// with no Go terms: `page_size: must be an integer from 1 to 100 (got 101)`.
// errors.Is matches ErrInvalidPage.
//
// It is the same type as scopes.ParamError, which the errors of package
// scopes' query parameters have, so one errors.As reaches either.
type ParamError = paramerr.Error

// pageError is a rejected page input; errors.Is matches ErrInvalidPage.
type pageError struct{ msg string }

func (e *pageError) Error() string        { return "pagination: " + e.msg }
func (e *pageError) Is(target error) bool { return target == ErrInvalidPage }

// invalid returns an error matching ErrInvalidPage whose message is built
// from format and args.
func invalid(format string, args ...any) error {
	return &pageError{msg: fmt.Sprintf(format, args...)}
}

// errEmptyOrder is the error of an order with no key.
func errEmptyOrder(s *schema.Schema) error {
	return invalid("order: empty; sort %s by at least one column, ending with a unique one such as the primary key", s.Name)
}

// rejectParam returns the *ParamError of the page parameter param, which
// failed rule; the message, built from format and args, follows "param: ".
func rejectParam(param, rule, format string, args ...any) error {
	return paramerr.New("pagination: ", ErrInvalidPage, nil, param, rule, param+": "+fmt.Sprintf(format, args...))
}

// rejectRange returns the *ParamError of param, whose value n is outside
// 1 to most: rule "gte" below, "max" above.
func rejectRange(param string, n, most int) error {
	rule := "max"
	if n < 1 {
		rule = "gte"
	}
	return rejectParam(param, rule, "must be an integer from 1 to %d (got %d)", most, n)
}
