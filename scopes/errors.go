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
