package scopes

import (
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gormext/gormext/pagination"
)

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
		return rejected(pagination.ErrInvalidPage, format, args...)
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
			return rejected(pagination.ErrInvalidPage, "parameter %s: %s is not a whole number of 1 or more", quote(name), quote(v))
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
