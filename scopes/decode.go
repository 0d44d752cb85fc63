package scopes

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sync"

	"github.com/go-playground/form/v4"
	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"
)

// MaxValueLength is the longest query-string value Decode accepts, in bytes
// (cursors may be up to pagination.MaxCursorLength).
const MaxValueLength = 1024

// DecodeOption adjusts Decode.
type DecodeOption func(*decodeConfig)

type decodeConfig struct {
	allowUnknown bool
	ignore       []string
}

// AllowUnknown makes Decode ignore parameters the filter struct does not
// declare instead of rejecting them.
func AllowUnknown() DecodeOption { return func(c *decodeConfig) { c.allowUnknown = true } }

// Ignore names parameters Decode accepts and drops (tracking parameters,
// say), while still rejecting every other unknown one.
func Ignore(params ...string) DecodeOption {
	return func(c *decodeConfig) { c.ignore = append(c.ignore, params...) }
}

// Decode fills the filter struct dst (a pointer) from a query string and
// validates it with its `validate` tags.
//
// Parameters are named by `form` tags; embedded structs are flattened, so a
// filter that embeds pagination.PaginatedFilter, pagination.CursorFilter
// and Sorting takes page, page_size, after, before, limit and sort. A slice
// field takes repeated parameters and comma-separated lists (status_in=a,b).
//
// Decode is strict: an unknown parameter (see AllowUnknown and Ignore), a
// single-valued one given twice, a value longer than MaxValueLength, with a
// NUL byte or invalid UTF-8, a list longer than MaxInValues, a malformed
// value or a failed rule is an error matching ErrInvalidFilter that names the
// parameter. Bad page parameters (page, page_size or limit not a whole
// number of 1 or more, an overlong cursor) match pagination.ErrInvalidPage
// instead; the page size maximum is checked when the page is read.
func Decode(values url.Values, dst any, opts ...DecodeOption) error {
	var c decodeConfig
	for _, opt := range opts {
		opt(&c)
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("scopes: Decode needs a non-nil pointer to a struct, not %T", dst)
	}
	table := paramsOf(rv.Elem().Type())
	clean, err := c.clean(values, table)
	if err != nil {
		return err
	}
	if err := formDecoder().Decode(dst, clean); err != nil {
		return decodeError(err, table)
	}
	return validationError(structValidator().Struct(dst))
}

var formDecoder = sync.OnceValue(func() *form.Decoder {
	d := form.NewDecoder()
	d.SetTagName("form")
	d.RegisterTagNameFunc(func(sf reflect.StructField) string {
		if name := formName(sf); name != "" {
			return name
		}
		if sf.Anonymous {
			return sf.Name
		}
		return "-"
	})
	d.SetMaxArraySize(MaxInValues)
	d.RegisterCustomTypeFunc(func(vals []string) (any, error) { return uuid.Parse(vals[0]) }, uuid.UUID{})
	return d
})

var structValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(formName)
	return v
})

// decodeError names the first parameter whose value did not parse.
func decodeError(err error, table map[string]param) error {
	var errs form.DecodeErrors
	if !errors.As(err, &errs) {
		return invalid("%v", err)
	}
	names := make([]string, 0, len(errs))
	for n := range errs {
		names = append(names, n)
	}
	slices.Sort(names)
	name := names[0]
	return paramError(table[name], "parameter %s: malformed value for its type", quote(name))
}

// validationError reports the first failed rule with its parameter name.
func validationError(err error) error {
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) || len(verrs) == 0 {
		return invalid("%v", err)
	}
	fe := verrs[0]
	rule := fe.Tag()
	if fe.Param() != "" {
		rule += "=" + fe.Param()
	}
	return invalid("parameter %s fails rule %s: %w", quote(fe.Field()), quote(rule), verrs)
}
