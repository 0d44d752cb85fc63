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

	"github.com/go-playground/form/v4"
	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"

	"github.com/gormext/gormext/pagination"
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

// param is what Decode knows of one query parameter.
type param struct {
	list bool // a slice field: repeated and comma-separated values
	page bool // declared by package pagination
}

var paramTables sync.Map // reflect.Type -> map[string]param

func paramsOf(t reflect.Type) map[string]param {
	if m, ok := paramTables.Load(t); ok {
		return m.(map[string]param)
	}
	m := map[string]param{}
	collectParams(t, false, m)
	paramTables.Store(t, m)
	return m
}

var (
	paginatedType = reflect.TypeFor[pagination.PaginatedFilter]()
	cursorType    = reflect.TypeFor[pagination.CursorFilter]()
)

func collectParams(t reflect.Type, page bool, m map[string]param) {
	for i := range t.NumField() {
		sf := t.Field(i)
		name := formName(sf)
		if sf.Anonymous && name == "" && indirect(sf.Type).Kind() == reflect.Struct {
			et := indirect(sf.Type)
			collectParams(et, page || et == paginatedType || et == cursorType, m)
			continue
		}
		if name == "" || !sf.IsExported() {
			continue
		}
		ft := indirect(sf.Type)
		m[name] = param{list: ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8, page: page}
	}
}

// formName is the parameter name of a field: its form tag, or "" when it
// has none or is "-".
func formName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("form"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// clean checks every parameter and returns the values to decode, lists
// split on commas.
func (c decodeConfig) clean(values url.Values, table map[string]param) (url.Values, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	clean := make(url.Values, len(keys))
	for _, k := range keys {
		p, known := table[k]
		if slices.Contains(c.ignore, k) || (!known && c.allowUnknown) {
			continue
		}
		if !known {
			return nil, invalid("unknown parameter %s (allowed: %s)", quote(k), strings.Join(sortedNames(table), ", "))
		}
		vals, err := checkParam(k, p, values[k])
		if err != nil {
			return nil, err
		}
		clean[k] = vals
	}
	return clean, nil
}

func sortedNames(table map[string]param) []string {
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func checkParam(name string, p param, vals []string) ([]string, error) {
	if !p.list && len(vals) > 1 {
		return nil, paramError(p, "parameter %s: given %d times; give it once", quote(name), len(vals))
	}
	limit := MaxValueLength
	if p.page {
		limit = pagination.MaxCursorLength
	}
	for _, v := range vals {
		if len(v) > limit {
			return nil, paramError(p, "parameter %s: value of %d bytes; at most %d are allowed", quote(name), len(v), limit)
		}
		if problem := textProblem(v); problem != "" {
			return nil, paramError(p, "parameter %s: %s", quote(name), problem)
		}
	}
	if p.page {
		return vals, checkPageNumber(name, vals)
	}
	if p.list {
		return splitList(name, vals)
	}
	return vals, nil
}

func paramError(p param, format string, args ...any) error {
	if p.page {
		return fmt.Errorf("%w: "+format, append([]any{pagination.ErrInvalidPage}, args...)...)
	}
	return invalid(format, args...)
}

// checkPageNumber rejects page, page_size and limit values that are not
// whole numbers of 1 or more.
func checkPageNumber(name string, vals []string) error {
	if name != "page" && name != "page_size" && name != "limit" {
		return nil
	}
	for _, v := range vals {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return fmt.Errorf("%w: parameter %s: %s is not a whole number of 1 or more", pagination.ErrInvalidPage, quote(name), quote(v))
		}
	}
	return nil
}

// splitList splits comma-separated values, dropping empty items.
func splitList(name string, vals []string) ([]string, error) {
	var out []string
	for _, v := range vals {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	if len(out) > MaxInValues {
		return nil, invalid("parameter %s: %d values; at most %d are allowed", quote(name), len(out), MaxInValues)
	}
	return out, nil
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
