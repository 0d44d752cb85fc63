package scopes

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// DecodeRequest decodes the query string of r into dst as [DecodeQuery]
// does. Use it rather than Decode(r.URL.Query(), ...): r.URL.Query()
// silently drops every pair holding an unencoded ";" or an invalid
// percent-escape, so ?title_icontains=x;y would list every row and
// ?sort=title;DROP+TABLE would sort by the default; DecodeRequest rejects
// both.
func DecodeRequest(r *http.Request, dst any, opts ...DecodeOption) error {
	raw := ""
	if r != nil && r.URL != nil {
		raw = r.URL.RawQuery
	}
	return DecodeQuery(raw, dst, opts...)
}

// DecodeQuery decodes a raw query string (the part of a URL after "?")
// into dst as [Decode] does, parsing it strictly first: a pair holding an
// unencoded ";" (rule "semicolon") or an invalid percent-escape such as
// %zz or a lone % (rule "escape") is a [*ParamError] naming the parameter
// as far as it can be told, where url.ParseQuery would drop the pair.
// Such pairs are refused whatever Ignore and AllowUnknown say: a ";" the
// client meant as a separator may hide a filter behind it. %3B is a
// literal semicolon, + a space, and empty pairs (a&&b) are skipped, as in
// url.ParseQuery.
//
// The errors match ErrInvalidFilter, or pagination.ErrInvalidPage for the
// parameters of package pagination, and are reported alone, before any
// other check, like every error of Decode's first stage.
func DecodeQuery(rawQuery string, dst any, opts ...DecodeOption) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return Decode(nil, dst, opts...) // the caller's error
	}
	values, errs := parseQuery(rawQuery, paramsOf(rv.Elem().Type()))
	if len(errs) > 0 {
		return sortedErrors(errs)
	}
	return Decode(values, dst, opts...)
}

// parseQuery splits a raw query string as url.ParseQuery does, but
// reports each pair it would drop, one error a parameter.
func parseQuery(raw string, table map[string]param) (url.Values, ParamErrors) {
	values := url.Values{}
	var errs ParamErrors
	seen := map[string]bool{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, value, err := parsePair(rawKey, rawValue, table)
		switch {
		case err == nil:
			values[key] = append(values[key], value)
		case !seen[err.Param]:
			seen[err.Param] = true
			errs = append(errs, err)
		}
	}
	return values, errs
}

// parsePair unescapes one pair, or says why it cannot be read: the name
// is checked before the value. A message repeats the name of a parameter
// the filter declares as it is, and quotes any other.
func parsePair(rawKey, rawValue string, table map[string]param) (string, string, *ParamError) {
	key, keyErr := url.QueryUnescape(rawKey)
	if keyErr != nil || strings.Contains(rawKey, ";") {
		name := rawKey
		if keyErr == nil {
			name = key
		}
		return "", "", badName(name, rawKey)
	}
	p, known := table[key]
	name, label := key, key
	if !known {
		name, label = strings.ToValidUTF8(cut(key, 64), "\uFFFD"), "parameter "+quote(key)
	}
	if strings.Contains(rawValue, ";") {
		return "", "", p.fail(name, "semicolon", "%s: must %s", label, noSemicolon)
	}
	value, err := url.QueryUnescape(rawValue)
	if err != nil {
		return "", "", p.fail(name, "escape", "%s: must %s", label, validEscapes(rawValue))
	}
	return key, value, nil
}

// noSemicolon is what a name or value with an unencoded ";" must do.
const noSemicolon = `not contain an unencoded ";" (write it as %3B; parameters are separated by &)`

// badName reports a parameter name holding an unencoded ";" or an invalid
// escape. name is the name as far as it can be told: unescaped, or as
// written when it cannot be.
func badName(name, rawKey string) *ParamError {
	rule, what := "semicolon", noSemicolon
	if !strings.Contains(rawKey, ";") {
		rule, what = "escape", validEscapes(rawKey)
	}
	param := strings.ToValidUTF8(cut(name, 64), "\uFFFD")
	return newParamError(ErrInvalidFilter, nil, param, rule, "parameter name "+quote(name)+" must "+what)
}

// validEscapes says what text with an invalid percent-escape must do,
// showing the first such escape.
func validEscapes(s string) string {
	return "use valid percent-escapes (got " + quote(badEscape(s)) + "; write a literal % as %25)"
}

// badEscape returns the first "%" of s not followed by two hex digits,
// with what follows it (at most two bytes).
func badEscape(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			i += 2
			continue
		}
		return s[i:min(i+3, len(s))]
	}
	return s // not reached: url.QueryUnescape refused s
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
