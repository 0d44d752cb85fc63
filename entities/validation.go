package entities

import (
	"errors"
	"strings"

	"github.com/go-playground/validator/v10"
)

// ErrValidation is matched (with errors.Is) by every error that reports a
// model failing its validate tags, before any SQL was sent. The error is a
// [*ValidationError]; errors.As also reaches the underlying
// validator.ValidationErrors with the failing fields.
var ErrValidation = errors.New("entities: validation failed")

// ValidationError reports the fields of a model that failed validation.
type ValidationError struct {
	// Model is the Go name of the model type, e.g. "Article".
	Model string
	// Err is what the validator returned: usually validator.ValidationErrors
	// (one entry per failing field), or *validator.InvalidValidationError.
	Err error
}

// Error lists the failing fields and the rule each one broke, e.g.
// `entities: validation failed: Article: Title (required), Email (email)`.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(ErrValidation.Error())
	b.WriteString(": ")
	b.WriteString(e.Model)
	b.WriteString(": ")
	var fields validator.ValidationErrors
	if !errors.As(e.Err, &fields) {
		b.WriteString(e.Err.Error())
		return b.String()
	}
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(fieldPath(f.StructNamespace()))
		b.WriteString(" (")
		b.WriteString(f.Tag())
		if p := f.Param(); p != "" {
			b.WriteString("=")
			b.WriteString(p)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns ErrValidation and the validator's error, so that both
// errors.Is(err, ErrValidation) and errors.As(err, &validator.ValidationErrors{})
// hold.
func (e *ValidationError) Unwrap() []error { return []error{ErrValidation, e.Err} }

// Fields returns the failing fields as validator.ValidationErrors, or nil
// when the validator failed for another reason.
func (e *ValidationError) Fields() validator.ValidationErrors {
	var fields validator.ValidationErrors
	if errors.As(e.Err, &fields) {
		return fields
	}
	return nil
}

// fieldPath drops the model name from a validator namespace
// ("Article.Title" becomes "Title").
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}
