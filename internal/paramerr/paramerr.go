// Package paramerr holds the error of one rejected query parameter. Package
// pagination names it pagination.ParamError and package scopes
// scopes.ParamError: one type under two names, so errors.As finds it with
// either, whichever package rejected the value, and pagination does not
// depend on scopes.
package paramerr

// Error is one query parameter a client sent and a package rejected. Its
// Message is written for that client: it starts with the parameter's name,
// says what the value must be, and holds no Go type, field or package
// name, so an API may return it as it is, or build its own text from
// Param and Rule.
//
// errors.Is matches the sentinel of the package that rejected the value
// (scopes.ErrInvalidFilter or pagination.ErrInvalidPage); Unwrap returns
// its cause, when it has one (the validator.ValidationErrors of a failed
// validate rule).
type Error struct {
	// Param is the parameter's name as the API receives it: "status_in",
	// "sort", "page_size", "after".
	Param string
	// Rule is a stable code naming the check the value failed: "oneof",
	// "unknown_field", "max", "cursor", ... (docs/querying.md lists them).
	Rule string
	// Message says what is wrong and what the value must be:
	// `sort: unknown field "passwd" (allowed: title, created_at)`.
	Message string

	prefix   string // "scopes: " or "pagination: "
	sentinel error
	cause    error
}

// New returns the error of param, failing rule, with message for the
// client; Error() is prefix followed by message; errors.Is matches
// sentinel; Unwrap returns cause (which may be nil).
func New(prefix string, sentinel, cause error, param, rule, message string) *Error {
	return &Error{Param: param, Rule: rule, Message: message, prefix: prefix, sentinel: sentinel, cause: cause}
}

// Error returns the message, after the name of the package that rejected
// the value: "scopes: sort: unknown field ...".
func (e *Error) Error() string { return e.prefix + e.Message }

// Is reports whether target is the sentinel of the package that rejected
// the value.
func (e *Error) Is(target error) bool { return e.sentinel != nil && target == e.sentinel }

// Unwrap returns the cause, or nil.
func (e *Error) Unwrap() error { return e.cause }
