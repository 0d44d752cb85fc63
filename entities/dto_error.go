package entities

import (
	"errors"
	"reflect"
	"strings"
)

// MappingError is the error of [ToDTO] and [FromDTO] when a value cannot be
// copied. It matches [ErrMapping] with errors.Is, and unwraps to the
// underlying error where there is one (a failed UnmarshalText, say).
type MappingError struct {
	// From and To are the types passed to ToDTO or FromDTO.
	From, To reflect.Type
	// Field is the path of the failing field from the top, such as
	// "Author.Age" or "Items[2].Price"; "" for the value as a whole.
	Field string
	// Reason says what is wrong.
	Reason string
	// Err is the underlying error, or nil.
	Err error
}

// Error describes the failure: both types, the field and the reason.
func (e *MappingError) Error() string {
	var b strings.Builder
	b.WriteString(ErrMapping.Error())
	b.WriteString(": ")
	b.WriteString(typeName(e.From))
	b.WriteString(" to ")
	b.WriteString(typeName(e.To))
	if e.Field != "" {
		b.WriteString(": field ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is reports whether target is ErrMapping.
func (e *MappingError) Is(target error) bool { return target == ErrMapping }

// Unwrap returns the underlying error.
func (e *MappingError) Unwrap() error { return e.Err }

func typeName(t reflect.Type) string {
	if t == nil {
		return "nil"
	}
	return t.String()
}

// fieldError is a failure inside a plan; the path grows as it travels up
// and becomes a MappingError at the top.
type fieldError struct {
	path   []string // innermost last, once reversed
	reason string
	err    error
}

func (e *fieldError) Error() string { return strings.Join(e.path, ".") + ": " + e.reason }

// inField returns err with seg (a field name or "[i]") in front of its path.
func inField(seg string, err error) error {
	var fe *fieldError
	if !errors.As(err, &fe) {
		fe = &fieldError{reason: "cannot copy", err: err}
	}
	fe.path = append(fe.path, seg)
	return fe
}

func failf(reason string, err error) error { return &fieldError{reason: reason, err: err} }

// joinPath writes segments collected innermost first as "A.B[2].C".
func joinPath(rev []string) string {
	var b strings.Builder
	for i := len(rev) - 1; i >= 0; i-- {
		seg := rev[i]
		if b.Len() > 0 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

func toMappingError(from, to reflect.Type, err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return &MappingError{From: from, To: to, Field: joinPath(fe.path), Reason: fe.reason, Err: fe.err}
	}
	return &MappingError{From: from, To: to, Reason: "cannot copy", Err: err}
}
