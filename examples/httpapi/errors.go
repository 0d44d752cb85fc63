package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// ErrorBody is the JSON shape of every error the API returns:
//
//	{"error": {"status": 422, "code": "validation_failed", "message": "...",
//	           "fields": [{"field": "title", "rule": "required"}]}}
//
// A query parameter scopes.Decode rejected, or that the listing refused
// after decoding (a sort field, a page size, a cursor), is a 400 that
// names it:
//
//	{"error": {"status": 400, "code": "invalid_parameter",
//	           "message": "status_in: each value must be one of draft, published (got \"archived\")",
//	           "param": "status_in", "rule": "oneof",
//	           "params": [{"param": "status_in", "rule": "oneof", "message": "..."}]}}
//
// A request body that cannot be read as the JSON object expected is a 400
// that names the field, with a path for nested ones (author.id, tags[1]),
// and says what it must be; field and fields are absent when the body as
// a whole is at fault (rule empty, syntax, trailing_data, type, utf8,
// too_large):
//
//	{"error": {"status": 400, "code": "invalid_body",
//	           "message": "author_id: must be a UUID, like 0190a7a4-7c1e-7000-8000-000000000001 (got a number)",
//	           "field": "author_id", "rule": "uuid",
//	           "fields": [{"field": "author_id", "rule": "uuid", "message": "..."}]}}
type ErrorBody struct {
	Error APIError `json:"error"`
}

// APIError describes one failed request.
type APIError struct {
	// Status repeats the HTTP status code.
	Status int `json:"status"`
	// Code is a stable, machine-readable name of the failure, e.g.
	// "validation_failed", "invalid_parameter", "conflict", "not_found",
	// "stale_version".
	Code string `json:"code"`
	// Message says what went wrong and what to change.
	Message string `json:"message"`
	// Fields lists the failing fields of a 422 response, the column of a
	// 409 unique violation, and the fields of a 400 "invalid_body".
	Fields []FieldError `json:"fields,omitempty"`
	// Field names the body field at fault in a 400 "invalid_body" (the
	// first, when several are; see Fields).
	Field string `json:"field,omitempty"`
	// Param and Rule name the query parameter at fault in a 400
	// "invalid_parameter" and the check it failed (the first, when
	// several parameters are at fault); Params lists every one. Rule also
	// names the check a 400 "invalid_body" failed.
	Param  string         `json:"param,omitempty"`
	Rule   string         `json:"rule,omitempty"`
	Params []ParamProblem `json:"params,omitempty"`
}

// ParamProblem is one query parameter the API rejected.
type ParamProblem struct {
	// Param is the parameter's name, e.g. "status_in".
	Param string `json:"param"`
	// Rule is the check its value failed, e.g. "oneof", "time", "unknown"
	// (the list is in docs/querying.md).
	Rule string `json:"rule"`
	// Message says what the value must be, e.g. `status_in: each value
	// must be one of draft, published (got "archived")`.
	Message string `json:"message"`
}

// FieldError is one field that failed validation.
type FieldError struct {
	// Field is the JSON name of the field.
	Field string `json:"field"`
	// Rule is the validation rule it broke, e.g. "required", "max".
	Rule string `json:"rule"`
	// Param is the rule's parameter, e.g. "200" for max=200.
	Param string `json:"param,omitempty"`
	// Message says what the field must be, in a 400 "invalid_body", e.g.
	// "title: must be a string (got a number)".
	Message string `json:"message,omitempty"`
}

// Error implements error, so that handlers can return an *APIError they
// built themselves.
func (e *APIError) Error() string { return e.Message }

var (
	errInternal = &APIError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error: the failure was logged"}
	errTimeout  = &APIError{Status: http.StatusServiceUnavailable, Code: "timeout", Message: "the request took too long and was rolled back: try again"}
)

// apiError maps an error to what the client sees. Errors it does not know
// become a 500 whose details stay in the server's log.
func apiError(err error) *APIError {
	var api *APIError
	var fields validator.ValidationErrors
	var params scopes.ParamErrors
	var param *scopes.ParamError // also pagination.ParamError: one type
	switch {
	case errors.As(err, &api):
		return api
	case errors.As(err, &params) && len(params) > 0:
		return invalidParams(params)
	case errors.As(err, &param):
		// After decoding: a sort spec, a page size or a cursor the listing
		// refused.
		return invalidParams(scopes.ParamErrors{param})
	case errors.Is(err, scopes.ErrInvalidFilter), errors.Is(err, pagination.ErrInvalidPage):
		// Before validation: a query parameter failing its rule is a 400.
		return &APIError{Status: http.StatusBadRequest, Code: "invalid_parameter", Message: err.Error()}
	case errors.As(err, &fields):
		return &APIError{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
			Message: "some fields are invalid: see fields", Fields: fieldErrors(fields)}
	case errors.Is(err, entities.ErrStaleEntity):
		return &APIError{Status: http.StatusConflict, Code: "stale_version",
			Message: "the article was changed since you read it: reload it and apply your change again"}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return conflict(err)
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &APIError{Status: http.StatusNotFound, Code: "not_found", Message: "no such record"}
	case errors.Is(err, context.DeadlineExceeded):
		return errTimeout
	}
	return nil
}

// invalidParams is the 400 of a query string scopes.Decode or a listing
// rejected: the first parameter at fault in param, rule and message, and
// every one in params.
func invalidParams(params scopes.ParamErrors) *APIError {
	e := &APIError{Status: http.StatusBadRequest, Code: "invalid_parameter",
		Message: params[0].Message, Param: params[0].Param, Rule: params[0].Rule}
	if len(params) > 1 {
		e.Message += fmt.Sprintf(" (and %d more: see params)", len(params)-1)
	}
	for _, p := range params {
		e.Params = append(e.Params, ParamProblem{Param: p.Param, Rule: p.Rule, Message: p.Message})
	}
	return e
}

// conflict describes a unique violation, naming the column when the
// database says which (database.ConstraintError).
func conflict(err error) *APIError {
	e := &APIError{Status: http.StatusConflict, Code: "conflict", Message: "a record with the same unique value already exists"}
	var ce *database.ConstraintError
	if errors.As(err, &ce) && ce.Column() != "" {
		e.Message = ce.Column() + ": the value is already taken"
		e.Fields = []FieldError{{Field: ce.Column(), Rule: "unique"}}
	}
	return e
}

// fieldErrors converts the validator's errors to JSON field names.
func fieldErrors(fields validator.ValidationErrors) []FieldError {
	out := make([]FieldError, len(fields))
	for i, f := range fields {
		out[i] = FieldError{Field: snakeCase(f.Field()), Rule: f.Tag(), Param: f.Param()}
	}
	return out
}

// snakeCase turns a Go field name into its JSON name: AuthorID becomes
// author_id, Title becomes title.
func snakeCase(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(runes[i-1]) || i+1 < len(runes) && unicode.IsLower(runes[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// badRequest is a 400 naming the parameter at fault.
func badRequest(code, message string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: code, Message: message}
}
