package scopes

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gormext/gormext/pagination"
)

// param is what Decode knows of one query parameter.
type param struct {
	list  bool       // a slice field: repeated and comma-separated values
	page  bool       // declared by package pagination
	value *valueType // checks of each value; nil for text
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
		p := param{list: ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8, page: page}
		if p.list {
			ft = indirect(ft.Elem())
		}
		p.value = valueTypeOf(ft)
		m[name] = p
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

// maxParamErrors is the most parameter errors one Decode reports.
const maxParamErrors = 5

// clean checks every parameter and returns the values to decode, lists
// split on commas. An unknown parameter is reported alone; otherwise every
// rejected parameter is, up to maxParamErrors.
func (c decodeConfig) clean(values url.Values, table map[string]param) (url.Values, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		if !slices.Contains(c.ignore, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, known := table[k]; !known && !c.allowUnknown {
			return nil, ParamErrors{unknownParam(k, table)}
		}
	}
	clean := make(url.Values, len(keys))
	var errs ParamErrors
	for _, k := range keys {
		p, known := table[k]
		if !known {
			continue
		}
		vals, err := checkParam(k, p, values[k])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		clean[k] = vals
	}
	if err := sortedErrors(errs); err != nil {
		return nil, err
	}
	return clean, nil
}

// unknownParam names a parameter the filter does not declare, and lists
// those it does.
func unknownParam(name string, table map[string]param) *ParamError {
	return newParamError(ErrInvalidFilter, nil, strings.ToValidUTF8(cut(name, 64), "\uFFFD"), "unknown",
		fmt.Sprintf("unknown parameter %s (allowed: %s)", quote(name), strings.Join(sortedNames(table), ", ")))
}

// cut returns at most n bytes of s, not splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// textMust says what a value no database column can hold must be, or ""
// when it can be held.
func textMust(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8 text"
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain NUL bytes"
	}
	return ""
}

func sortedNames(table map[string]param) []string {
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// checkParam checks the values of one known parameter: given once unless
// a list, each short, storable text, and of the parameter's type.
func checkParam(name string, p param, vals []string) ([]string, *ParamError) {
	if !p.list && len(vals) > 1 {
		return nil, p.fail(name, "repeated", "%s: must be given once (got %d values)", name, len(vals))
	}
	limit := MaxValueLength
	if p.page {
		limit = pagination.MaxCursorLength
	}
	for _, v := range vals {
		if len(v) > limit {
			return nil, p.fail(name, "too_long", "%s: must be at most %d bytes long (got %d bytes)", name, limit, len(v))
		}
		if must := textMust(v); must != "" {
			return nil, p.fail(name, "text", "%s: %s", name, must)
		}
	}
	if p.page {
		return vals, checkPageNumber(name, p, vals)
	}
	if p.list {
		var err *ParamError
		if vals, err = splitList(name, p, vals); err != nil {
			return nil, err
		}
	}
	return vals, checkValues(name, p, vals)
}

// fail returns a ParamError with the sentinel of p.
func (p param) fail(name, rule, format string, args ...any) *ParamError {
	return p.failWith(nil, name, rule, format, args...)
}

// failWith returns a ParamError with the sentinel of p that unwraps to
// cause.
func (p param) failWith(cause error, name, rule, format string, args ...any) *ParamError {
	sentinel := ErrInvalidFilter
	if p.page {
		sentinel = pagination.ErrInvalidPage
	}
	return newParamError(sentinel, cause, name, rule, fmt.Sprintf(format, args...))
}

// checkValues checks each value against the parameter's type.
func checkValues(name string, p param, vals []string) *ParamError {
	if p.value == nil {
		return nil
	}
	for _, v := range vals {
		if v == "" && p.value.emptyIsAbsent() {
			continue
		}
		if want := p.value.check(v); want != "" {
			return p.fail(name, p.value.rule, "%s: %s %s (got %s)", name, eachValue(p), want, quote(v))
		}
	}
	return nil
}

// eachValue is how a message starts what a value must be: "must be", or
// for a list "each value must be".
func eachValue(p param) string {
	if p.list {
		return "each value must be"
	}
	return "must be"
}

// checkPageNumber rejects page, page_size and limit values that are not
// whole numbers of 1 or more.
func checkPageNumber(name string, p param, vals []string) *ParamError {
	if name != "page" && name != "page_size" && name != "limit" {
		return nil
	}
	for _, v := range vals {
		n, err := strconv.Atoi(v)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return p.fail(name, "integer", "%s: must be an integer from 1 to %d (got %s)", name, math.MaxInt, quote(v))
		case err != nil:
			return p.fail(name, "integer", "%s: must be an integer ≥ 1 (got %s)", name, quote(v))
		case n < 1:
			return p.fail(name, "gte", "%s: must be an integer ≥ 1 (got %s)", name, quote(v))
		}
	}
	return nil
}

// splitList splits comma-separated values, dropping empty items.
func splitList(name string, p param, vals []string) ([]string, *ParamError) {
	var out []string
	for _, v := range vals {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	if len(out) > MaxInValues {
		return nil, p.fail(name, "too_many", "%s: must have at most %d values (got %d)", name, MaxInValues, len(out))
	}
	return out, nil
}
