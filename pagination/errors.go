package pagination

import (
	"errors"
	"fmt"
)

// ErrInvalidPage is matched (with errors.Is) by every rejected page input: a
// page or page size out of range, a cursor limit out of range, both After
// and Before set, and a cursor that is malformed, altered, signed with
// another key, issued for another listing or sort, or expired. The message
// names the parameter and what is allowed.
var ErrInvalidPage = errors.New("pagination: invalid page")

// invalid returns an error matching ErrInvalidPage with a message built from
// format and args.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidPage}, args...)...)
}
