package entities

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/go-playground/validator/v10"
)

// ErrMapping is matched (with errors.Is) by every error of [ToDTO] and
// [FromDTO] that comes from the mapping itself: a field whose types cannot
// be copied, a value that does not fit (an int64 too large for an int8, a
// string that is no UUID), a nil or non-struct source. The error is a
// [*MappingError] naming the field and both types.
var ErrMapping = errors.New("entities: cannot map between types")

// ErrInvalidDTO is matched by the error of [FromDTO] when the entity it
// built fails validation. The error also wraps the validator's
// validator.ValidationErrors, reachable with errors.As, which lists every
// failing field.
var ErrInvalidDTO = errors.New("entities: invalid DTO")

// ToDTO copies src, an entity (a struct or a non-nil pointer to one), into a
// new D, a response struct (or pointer to one), field by field by Go name.
//
// The rules, the same for [FromDTO]:
//
//   - Fields match by Go name; fields promoted from embedded structs count
//     as the struct's own, so a DTO with flat ID, CreatedAt and UpdatedAt
//     fields maps to and from an entity embedding [Entity]. An embedded
//     struct is not itself a field: only what it promotes is copied.
//   - Unexported fields and fields present on one side only are ignored.
//     Tags play no part: json:"-" hides a field from JSON, not from mapping.
//   - A value whose type is assignable is assigned, as with =: slices, maps
//     and pointers of the same type end up shared, not cloned.
//   - Otherwise values are converted where nothing can be lost silently:
//     between named and unnamed forms of a type, between integer types or
//     between float types (a value that does not fit is an error), pointer
//     to value (nil gives the zero value) and value to pointer, nested
//     structs and slices of structs recursively, a driver.Valuer to what its
//     Value returns (gorm.DeletedAt to *time.Time, uuid.UUID to string), a
//     value into an sql.Scanner (*time.Time to gorm.DeletedAt), an
//     encoding.TextMarshaler to string and a string to an
//     encoding.TextUnmarshaler (string to uuid.UUID). A pointer that occurs
//     twice in the source occurs twice in the copy, so cycles are copied as
//     cycles.
//   - Any other pair of types (int to string, float to int, a struct to a
//     string, ...) is a [*MappingError] naming the field and both types,
//     reported on every call, even when the value is zero.
//
// The mapping plan of each (source type, destination type) pair is built
// once and cached.
func ToDTO[D any](src any) (D, error) {
	return mapInto[D](src)
}

// FromDTO copies src, a request struct (or a non-nil pointer to one), into a
// new E, an entity (or pointer to one), with the rules of [ToDTO], then
// validates the result with its validate tags. A validation failure matches
// [ErrInvalidDTO] and wraps validator.ValidationErrors.
func FromDTO[E any](src any) (E, error) {
	return FromDTOWith[E](dtoValidator(), src)
}

// FromDTOWith is [FromDTO] with a validator of the caller's (custom rules or
// tag name); a nil v skips validation.
func FromDTOWith[E any](v *validator.Validate, src any) (E, error) {
	e, err := mapInto[E](src)
	if err != nil || v == nil {
		return e, err
	}
	if err := v.Struct(e); err != nil {
		var zero E
		return zero, fmt.Errorf("%w: %T: %w", ErrInvalidDTO, e, err)
	}
	return e, nil
}

var dtoValidator = sync.OnceValue(func() *validator.Validate {
	return validator.New(validator.WithRequiredStructEnabled())
})

// mapInto copies src into a new T.
func mapInto[T any](src any) (T, error) {
	var out T
	dstType := reflect.TypeFor[T]()
	sv := reflect.ValueOf(src)
	if err := checkEnds(sv, dstType); err != nil {
		return out, err
	}
	conv, err := planFor(sv.Type(), dstType)
	if err != nil {
		return out, err
	}
	dv := reflect.ValueOf(&out).Elem()
	if err := conv(&copyState{}, sv, dv); err != nil {
		return out, toMappingError(sv.Type(), dstType, err)
	}
	return out, nil
}

// checkEnds accepts a struct or non-nil pointer to a struct as source and a
// struct or pointer to a struct as destination.
func checkEnds(sv reflect.Value, dst reflect.Type) error {
	if !sv.IsValid() {
		return &MappingError{To: dst, Reason: "the source is nil"}
	}
	st := sv.Type()
	if st.Kind() == reflect.Pointer && sv.IsNil() {
		return &MappingError{From: st, To: dst, Reason: "the source is a nil pointer"}
	}
	if derefType(st).Kind() != reflect.Struct {
		return &MappingError{From: st, To: dst, Reason: "the source must be a struct or a pointer to one"}
	}
	if derefType(dst).Kind() != reflect.Struct {
		return &MappingError{From: st, To: dst, Reason: "the destination must be a struct or a pointer to one"}
	}
	return nil
}

func derefType(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}
