package pagination

import (
	"errors"
	"fmt"

	"gorm.io/gorm/schema"
)

// ErrInvalidPage is matched (with errors.Is) by every rejected page input: a
// page or page size out of range, a cursor limit out of range, an empty
// order (at every entry point: PaginateCursor, CursorOf, OrderBy), both After
// and Before set, and a cursor that is malformed, altered, signed with
// another key, issued for another listing or sort, or expired. The message
// names the parameter and what is allowed.
var ErrInvalidPage = errors.New("pagination: invalid page")

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
