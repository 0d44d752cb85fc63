package scopes

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

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
// Decode sees only the values it is given: url.ParseQuery and
// r.URL.Query() silently drop every pair holding an unencoded ";" or an
// invalid percent-escape, so ?title_icontains=x;y reaches Decode as no
// filter at all. Handlers should call [DecodeRequest] (or [DecodeQuery]
// with the raw query string), which reject such pairs and then decode as
// Decode does.
//
// Parameters are named by `form` tags; embedded structs are flattened, so a
// filter that embeds pagination.PaginatedFilter, pagination.CursorFilter
// and Sorting takes page, page_size, after, before, limit and sort. A slice
// field takes repeated parameters and comma-separated lists (status_in=a,b).
//
// Decode is strict: an unknown parameter (see AllowUnknown and Ignore), a
// single-valued one given twice, a value longer than MaxValueLength, with a
// NUL byte or invalid UTF-8, a list longer than MaxInValues, a value not of
// the parameter's type (a number, bool, RFC 3339 time, UUID or duration,
// written as time.ParseDuration reads it) or a failed validate rule is
// rejected.
//
// The error is a [ParamErrors]: one [*ParamError] for each parameter at
// fault (sorted by name, at most five; an unknown parameter is reported
// alone), whose Message names the parameter and says what it must be, in
// the client's terms: `status_in: each value must be one of draft,
// published (got "archived")`, never a Go type or field name. It matches
// ErrInvalidFilter, and pagination.ErrInvalidPage when a parameter of
// package pagination is at fault (page, page_size or limit not a whole
// number of 1 or more, an overlong cursor); the page size maximum, the
// sort fields and the cursor's signature are checked when the page is
// read, and rejected as *ParamErrors too. A failed validate rule unwraps to the
// validator.ValidationErrors that reports it.
func Decode(values url.Values, dst any, opts ...DecodeOption) error {
	var c decodeConfig
	for _, opt := range opts {
		opt(&c)
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("scopes: Decode needs a non-nil pointer to a struct, not %T", dst)
	}
	st := rv.Elem().Type()
	table := paramsOf(st)
	clean, err := c.clean(values, table)
	if err != nil {
		return err
	}
	if err := formDecoder().Decode(dst, clean); err != nil {
		return decodeErrors(err, table)
	}
	return validationErrors(structValidator().Struct(dst), st, table, clean)
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
	d.RegisterCustomTypeFunc(func(vals []string) (any, error) { return time.ParseDuration(vals[0]) }, time.Duration(0))
	return d
})

var structValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(formName)
	return v
})

// decodeErrors reports each parameter the form decoder could not read.
// Values are checked before decoding (see valueTypeOf), so this is the
// fallback for types Decode does not know.
func decodeErrors(err error, table map[string]param) error {
	var errs form.DecodeErrors
	if !errors.As(err, &errs) {
		return invalid("%v", err)
	}
	var out ParamErrors
	seen := map[string]bool{}
	for namespace := range errs {
		name, _ := splitIndex(namespace)
		if !seen[name] {
			seen[name] = true
			out = append(out, table[name].fail(name, "invalid", "%s: the value given cannot be read as this parameter", name))
		}
	}
	return sortedErrors(out)
}

// validationErrors reports each parameter that failed a validate rule,
// with the first rule it failed. st is the filter struct's type; clean the
// values decoded, to show the one at fault.
func validationErrors(err error, st reflect.Type, table map[string]param, clean url.Values) error {
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) || len(verrs) == 0 {
		return invalid("%v", err)
	}
	var out ParamErrors
	seen := map[string]bool{}
	for _, fe := range verrs {
		name, index := splitIndex(fe.Field())
		if seen[name] {
			continue
		}
		seen[name] = true
		p := table[name]
		text := ruleText(fe, st)
		if index >= 0 {
			text = "each value " + text
		}
		out = append(out, p.failWith(validator.ValidationErrors{fe}, name, fe.Tag(), "%s: %s%s", name, text, gotValue(p, clean[name], index)))
	}
	return sortedErrors(out)
}

// splitIndex splits "status_in[2]" into "status_in" and 2; a name without
// an index has index -1.
func splitIndex(field string) (string, int) {
	name, rest, ok := strings.Cut(field, "[")
	if !ok {
		return field, -1
	}
	index, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
	if err != nil {
		return name, -1
	}
	return name, index
}

// gotValue shows the value at fault, " (got \"archived\")", or "" when no
// single value is (a list's length, a missing parameter).
func gotValue(p param, vals []string, index int) string {
	switch {
	case index >= 0 && index < len(vals):
		return " (got " + quote(vals[index]) + ")"
	case index < 0 && !p.list && len(vals) == 1:
		return " (got " + quote(vals[0]) + ")"
	}
	return ""
}

// sortedErrors sorts errs by parameter name and keeps the first
// maxParamErrors.
func sortedErrors(errs ParamErrors) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *ParamError) int { return strings.Compare(a.Param, b.Param) })
	return errs[:min(len(errs), maxParamErrors)]
}
