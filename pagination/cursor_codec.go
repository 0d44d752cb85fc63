package pagination

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/schema"
)

// The cursor body, {"v":[<value>,...],"t":<issued>}, is written and read
// here without encoding/json for the values a sort key usually holds; the
// bytes are those json.Marshal writes, and whatever this reader does not
// recognise (escaped strings, "g" values) goes to encoding/json, so both
// paths read every cursor alike.

// appendRow appends the cursor body of row (a T, of the result schema s)
// issued at unix time issued; exprs holds the values of the expression
// keys, in key order. When s is the schema the keys were resolved
// against (model), plain columns are written straight from the row (see
// appendField); every other value is read through s and written by
// appendValue.
func appendRow(ctx context.Context, dst []byte, s *schema.Schema, model bool, keys []key, row reflect.Value, exprs []any, issued int64) ([]byte, error) {
	dst = append(dst, `{"v":[`...)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		if model {
			var ok bool
			if dst, ok = appendField(dst, k.read, row); ok {
				continue
			}
		}
		var v any
		if k.expr != nil {
			v, exprs = exprs[0], exprs[1:]
		} else {
			var err error
			if v, err = keyValue(ctx, s, k, row); err != nil {
				return nil, err
			}
		}
		var err error
		if dst, err = appendValue(dst, v); err != nil {
			return nil, fmt.Errorf("pagination: sort value %d of the cursor: %w", i+1, err)
		}
	}
	dst = append(dst, `],"t":`...)
	dst = strconv.AppendInt(dst, issued, 10)
	return append(dst, '}'), nil
}

// appendValue appends the cursor form of one sort value (see encodeValue).
func appendValue(dst []byte, v any) ([]byte, error) {
	if dv, ok := driverValue(v); ok {
		switch x := dv.(type) {
		case nil:
			return append(dst, "null"...), nil
		case int64:
			return appendInt(dst, x), nil
		case float64:
			return appendFloat(dst, x), nil
		case bool:
			return appendBool(dst, x), nil
		case string:
			if out, ok := appendText(dst, x); ok {
				return out, nil
			}
		case []byte:
			dst = append(dst, `["x","`...)
			return append(base64.StdEncoding.AppendEncode(dst, x), `"]`...), nil
		case time.Time:
			if out, ok := appendTime(dst, x); ok {
				return out, nil
			}
		}
	}
	raw, err := encodeValue(v)
	return append(dst, raw...), err
}

// appendInt, appendFloat, appendBool, appendText and appendTime append
// the cursor form of one driver value, as encodeValue writes it. ok is
// false, and dst unchanged, for a string JSON escapes or a time RFC 3339
// cannot write: encodeValue writes those.

func appendInt(dst []byte, x int64) []byte {
	dst = append(dst, `["i",`...)
	return append(strconv.AppendInt(dst, x, 10), ']')
}

func appendFloat(dst []byte, x float64) []byte {
	dst = append(dst, `["f","`...)
	return append(strconv.AppendFloat(dst, x, 'g', -1, 64), `"]`...)
}

func appendBool(dst []byte, x bool) []byte {
	dst = append(dst, `["b",`...)
	return append(strconv.AppendBool(dst, x), ']')
}

func appendText(dst []byte, x string) (_ []byte, ok bool) {
	if !plainJSON(x) {
		return dst, false
	}
	dst = append(dst, `["s","`...)
	return append(append(dst, x...), `"]`...), true
}

func appendTime(dst []byte, x time.Time) (_ []byte, ok bool) {
	out, err := cursorTime(x).AppendText(append(dst, `["t","`...))
	if err != nil {
		return dst, false
	}
	return append(out, `"]`...), true
}

// plainJSON reports whether json.Marshal writes s as itself in quotes:
// printable ASCII that JSON and its HTML escaping leave alone.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// parseBody reads the values and issue time of a cursor body in the form
// appendRow writes, each value a slice of payload. ok is false for any
// other form: the caller then reads it with encoding/json.
func parseBody(payload []byte, values []json.RawMessage) (_ []json.RawMessage, issued int64, ok bool) {
	rest, ok := cut(payload, `{"v":[`)
	if !ok {
		return nil, 0, false
	}
	for len(rest) > 0 && rest[0] != ']' {
		if len(values) > 0 {
			if rest, ok = cut(rest, ","); !ok {
				return nil, 0, false
			}
		}
		n := valueLen(rest)
		if n == 0 {
			return nil, 0, false
		}
		values, rest = append(values, rest[:n:n]), rest[n:]
	}
	if rest, ok = cut(rest, `],"t":`); !ok || len(rest) < 2 || rest[len(rest)-1] != '}' {
		return nil, 0, false
	}
	issued, err := strconv.ParseInt(string(rest[:len(rest)-1]), 10, 64)
	return values, issued, err == nil
}

// valueLen is the length of the value at the start of b: null, or
// ["k",<number, true, false or a string without escapes>]; 0 for any
// other form.
func valueLen(b []byte) int {
	if len(b) >= 4 && string(b[:4]) == "null" {
		return 4
	}
	if len(b) < 7 || b[0] != '[' || b[1] != '"' || b[3] != '"' || b[4] != ',' || b[2] == goJSONValue[0] {
		return 0
	}
	i := 5
	if b[i] == '"' {
		for i++; i < len(b) && b[i] != '"'; i++ {
			if b[i] == '\\' {
				return 0
			}
		}
		i++
	} else {
		for ; i < len(b) && b[i] != ']'; i++ {
			if c := b[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E') {
				return 0
			}
		}
	}
	if i >= len(b) || b[i] != ']' {
		return 0
	}
	return i + 1
}

func cut(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

// fastValue decodes a value valueLen accepted, for a key of type t whose
// values are of the kinds fits, as decodeValue does.
func fastValue(raw []byte, t reflect.Type, fits kinds) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	kind, inner := string(raw[2:3]), raw[5:len(raw)-1]
	if !fits.fit(kind) {
		return nil, fmt.Errorf("a value of kind %q for %s", kind, t)
	}
	quoted := len(inner) >= 2 && inner[0] == '"'
	text := inner
	if quoted {
		text = inner[1 : len(inner)-1]
	}
	switch {
	case kind == intValue && !quoted:
		return strconv.ParseInt(string(text), 10, 64)
	case kind == boolValue && !quoted:
		return strconv.ParseBool(string(text))
	case kind == floatValue && quoted:
		f, err := strconv.ParseFloat(string(text), 64)
		if err != nil && !math.IsInf(f, 0) {
			return 0.0, err
		}
		return f, nil
	case kind == textValue && quoted:
		return string(text), nil
	case (kind == binTextVal || kind == bytesValue) && quoted:
		b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(b, text)
		if kind == binTextVal {
			return string(b[:n]), err
		}
		return b[:n], err
	case kind == timeValue && quoted:
		var tm time.Time
		err := tm.UnmarshalText(text)
		return tm, err
	}
	return decodeValue(raw, t, fits)
}

// encodeBase64 is base64.RawURLEncoding.EncodeToString(src) with one
// allocation, the string itself: src is encoded 48 bytes (64 characters)
// at a time through a buffer on the stack. Base64 of 3-byte-aligned
// chunks, joined, is the base64 of the whole.
func encodeBase64(src []byte) string {
	var b strings.Builder
	b.Grow(base64.RawURLEncoding.EncodedLen(len(src)))
	var chunk [64]byte
	for len(src) > 0 {
		n := min(len(src), 48)
		enc := chunk[:base64.RawURLEncoding.EncodedLen(n)]
		base64.RawURLEncoding.Encode(enc, src[:n])
		b.Write(enc)
		src = src[n:]
	}
	return b.String()
}

// appendDecodeBase64 appends the bytes s encodes (RawURLEncoding) to dst,
// without converting s to a []byte: 64 characters (48 bytes) at a time
// through a buffer on the stack.
func appendDecodeBase64(dst []byte, s string) ([]byte, error) {
	var chunk [64]byte
	for len(s) > 0 {
		n := copy(chunk[:], s)
		var err error
		if dst, err = base64.RawURLEncoding.AppendDecode(dst, chunk[:n]); err != nil {
			return dst, err
		}
		s = s[n:]
	}
	return dst, nil
}
