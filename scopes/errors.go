package scopes

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
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

// maxQuoted is how much of a client's input an error message repeats.
const maxQuoted = 64

// quote returns s quoted for an error message, cut to maxQuoted bytes so that
// huge or binary input is never echoed verbatim.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("... (%d bytes)", len(s))
}

// checkText rejects strings no database column can hold: invalid UTF-8 and
// NUL bytes (PostgreSQL refuses both in text).
func checkText(what, s string) error {
	if problem := textProblem(s); problem != "" {
		return invalid("%s: %s", what, problem)
	}
	return nil
}

// textProblem says what makes s unstorable, or "" when nothing does.
func textProblem(s string) string {
	if !utf8.ValidString(s) {
		return "value is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "value contains a NUL byte"
	}
	return ""
}
