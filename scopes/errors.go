package scopes

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gormext/gormext/internal/paramerr"
)

// ErrInvalidFilter is matched (with errors.Is) by every rejected filter,
// sort or search input: an unknown parameter, sort field or column, a
// malformed value, a failed validation rule, a value the database cannot
// hold (NUL bytes, invalid UTF-8). It is surfaced on the query's Error, so
// no SQL is sent. The message names the field or parameter and says what is
// allowed.
var ErrInvalidFilter = errors.New("scopes: invalid filter")

// inputError is a rejected input: its message says what and why, errors.Is
// matches its sentinel, and errors.As reaches its cause (validator errors).
type inputError struct {
	msg      string
	sentinel error
	cause    error
}

func (e *inputError) Error() string        { return "scopes: " + e.msg }
func (e *inputError) Is(target error) bool { return target == e.sentinel }
func (e *inputError) Unwrap() error        { return e.cause }

// rejected formats a message (%w allowed, for the cause) as an error
// matching sentinel.
func rejected(sentinel error, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &inputError{msg: err.Error(), sentinel: sentinel, cause: errors.Unwrap(err)}
}

// invalid returns an error matching ErrInvalidFilter.
func invalid(format string, args ...any) error {
	return rejected(ErrInvalidFilter, format, args...)
}

// maxQuoted is the longest quoted form of client input an error message
// repeats, in bytes.
const maxQuoted = 80

// quote returns s quoted with %q, cut so that the quoted form stays within
// maxQuoted bytes: huge or binary input (whose escapes take four bytes a
// byte) is never echoed verbatim.
func quote(s string) string {
	q := strconv.Quote(s)
	if len(q) <= maxQuoted {
		return q
	}
	cut := min(len(s), maxQuoted)
	for {
		for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if q = strconv.Quote(s[:cut]); len(q) <= maxQuoted || cut == 0 {
			return q + fmt.Sprintf("... (%d bytes)", len(s))
		}
		cut--
	}
}

// checkParamText rejects, as a ParamError of param, strings no database
// column can hold: invalid UTF-8 and NUL bytes.
func checkParamText(param, s string) error {
	if must := textMust(s); must != "" {
		return rejectParam(param, "text", "%s", must)
	}
	return nil
}

// ParamError is one query parameter a client sent and this package
// rejected: by Decode, or after decoding by a sort spec ([Sort],
// [SortKeys], QueryOperations), a search term ([Search]) or a filter
// value ([Filter]). Its Message is written for that client: it names the
// parameter, says what its value must be, and holds no Go type, field or
// package name, so an API may return it as it is, or build its own text
// from Param and Rule.
//
// Param is the parameter's name as the client wrote it (an unknown name is
// cut to 64 bytes). Rule names the check the value failed: a validate tag
// ("oneof", "gte", "max", "email", ...), one of Decode's own ("unknown",
// "repeated", "too_long", "too_many", "text", "integer", "number",
// "boolean", "time", "uuid", "duration", "invalid"), of a sort spec
// ("unknown_field", "duplicate_field", "empty_field", "modifier",
// "too_many", "too_long") or of a page (see pagination.ParamError).
// Message says what is wrong and what the value must be:
// `status_in: each value must be one of draft, published (got "archived")`.
//
// errors.Is matches ErrInvalidFilter, or pagination.ErrInvalidPage for the
// parameters of package pagination (page, page_size, after, before,
// limit). The error of a failed validate rule unwraps to the one-element
// validator.ValidationErrors that reports it.
//
// It is the same type as pagination.ParamError, so the page errors
// QueryOperations passes on from package pagination are reached by the
// same errors.As.
type ParamError = paramerr.Error

// ParamErrors are the parameters one call of Decode rejected, one error a
// parameter, sorted by name, at most five. errors.As reaches each
// *ParamError (the first with a single call); errors.Is matches the
// sentinel of any of them.
type ParamErrors []*ParamError

func (es ParamErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Message
	}
	return "scopes: " + strings.Join(msgs, "; ")
}

// Unwrap returns each *ParamError.
func (es ParamErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// newParamError returns the *ParamError of param, failing rule, with
// message; errors.Is matches sentinel, Unwrap returns cause.
func newParamError(sentinel, cause error, param, rule, message string) *ParamError {
	return paramerr.New("scopes: ", sentinel, cause, param, rule, message)
}

// rejectParam returns the *ParamError of param matching ErrInvalidFilter;
// the message, built from format and args, follows "param: ".
func rejectParam(param, rule, format string, args ...any) error {
	return newParamError(ErrInvalidFilter, nil, param, rule, param+": "+fmt.Sprintf(format, args...))
}
