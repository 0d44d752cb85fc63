package hooks

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The validator walks a struct through reflection, parses rule parameters
// on every call and allocates; on a batch insert that is most of the
// plugin's cost. Models whose only rules are the everyday string rules
// (required, omitempty, min, max, len) get a compiled pre-check instead: when
// every rule passes, the row is valid and the validator is not called; when
// one fails, the validator runs and produces the error, so error values are
// always the validator's own. The pre-check is used only with the plugin's
// own validator, where no rule can have been redefined.

// fastRule is one validated string field.
type fastRule struct {
	index          []int // struct path from the model, through values only
	omitEmpty      bool
	required       bool
	min, max, size int64 // -1 when absent
}

// fastRules compiles the validate tags of t, or reports false when some
// rule, field type or nesting is outside what the pre-check replicates.
// The fields at the skip index paths (associations) are left out, as the
// validator leaves them out.
func fastRules(t reflect.Type, skip ...[]int) ([]fastRule, bool) {
	var rules []fastRule
	if !collectFast(t, nil, skip, &rules) {
		return nil, false
	}
	return rules, true
}

func collectFast(t reflect.Type, prefix []int, skip [][]int, rules *[]fastRule) bool {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.Anonymous && sf.PkgPath != "" {
			continue // the validator skips unexported fields
		}
		tag := sf.Tag.Get("validate")
		if tag == "-" {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		if slices.ContainsFunc(skip, func(s []int) bool { return slices.Equal(s, index) }) {
			continue
		}
		if tag != "" {
			r, ok := parseFastRule(sf.Type, tag)
			if !ok {
				return false
			}
			r.index = index
			*rules = append(*rules, r)
			continue
		}
		if !fastUntagged(sf.Type, index, skip, rules) {
			return false
		}
	}
	return true
}

// fastUntagged handles a field without rules: the validator still walks
// into struct values, and anything else with rules inside is out of reach.
func fastUntagged(t reflect.Type, index []int, skip [][]int, rules *[]fastRule) bool {
	switch {
	case t == typeTime:
		return true
	case t.Kind() == reflect.Struct:
		return collectFast(t, index, skip, rules)
	default:
		return !hasValidateTags(t, map[reflect.Type]bool{})
	}
}

// parseFastRule reads a tag such as "omitempty,min=2,max=200" on a string
// field.
func parseFastRule(t reflect.Type, tag string) (fastRule, bool) {
	r := fastRule{min: -1, max: -1, size: -1}
	if t.Kind() != reflect.String {
		return r, false
	}
	for i, part := range strings.Split(tag, ",") {
		name, param, _ := strings.Cut(part, "=")
		switch {
		case name == "omitempty" && i == 0 && param == "":
			r.omitEmpty = true
		case name == "required" && param == "":
			r.required = true
		case name == "min" || name == "max" || name == "len":
			n, err := strconv.ParseInt(param, 0, 64)
			if err != nil || n < 0 {
				return r, false
			}
			r.setBound(name, n)
		default:
			return r, false
		}
	}
	return r, true
}

func (r *fastRule) setBound(name string, n int64) {
	switch name {
	case "min":
		r.min = n
	case "max":
		r.max = n
	default:
		r.size = n
	}
}

// valid reports whether s passes the rule, exactly as the validator decides.
func (r *fastRule) valid(s string) bool {
	if s == "" {
		if r.omitEmpty {
			return true
		}
		if r.required {
			return false
		}
	}
	if r.min < 0 && r.max < 0 && r.size < 0 {
		return true
	}
	n := int64(utf8.RuneCountInString(s))
	return (r.min < 0 || n >= r.min) && (r.max < 0 || n <= r.max) && (r.size < 0 || n == r.size)
}

// fastValid reports whether every rule passes on row.
func fastValid(rules []fastRule, row reflect.Value) bool {
	for i := range rules {
		if !rules[i].valid(row.FieldByIndex(rules[i].index).String()) {
			return false
		}
	}
	return true
}
