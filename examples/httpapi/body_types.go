package main

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// jsonKind is the kind of a JSON value, as a body field expects it.
type jsonKind int

const (
	anyKind jsonKind = iota
	objectKind
	listKind
	stringKind
	numberKind
	boolKind
)

// want is what a field of some Go type takes, in the client's words.
type want struct {
	kind  jsonKind
	rule  string // the rule of a value that is not of the type
	words string // what the value must be: "a UUID, like ...", "an integer"
	// check returns "" when the text of a string or number is a value of
	// the type, otherwise what it must be. nil accepts every value.
	check func(text string) string
}

const (
	mustBeUUID = "a UUID, like 0190a7a4-7c1e-7000-8000-000000000001"
	mustBeTime = "an RFC 3339 time, like 2026-01-31T10:00:00Z"
)

var (
	uuidType = reflect.TypeFor[uuid.UUID]()
	timeType = reflect.TypeFor[time.Time]()
)

// wantOf says what a JSON value decoded into t must be.
func wantOf(t reflect.Type) want {
	switch {
	case t == uuidType:
		return want{stringKind, "uuid", mustBeUUID, textChecker(t, mustBeUUID)}
	case t == timeType:
		return want{stringKind, "time", mustBeTime, textChecker(t, mustBeTime)}
	case reflect.PointerTo(t).Implements(jsonUnmarshaler):
		return want{kind: anyKind}
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		return want{stringKind, "format", "text in the expected format", textChecker(t, "text in the expected format")}
	}
	switch t.Kind() {
	case reflect.String:
		return want{stringKind, "string", "a string", nil}
	case reflect.Bool:
		return want{boolKind, "boolean", "true or false", nil}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return want{numberKind, "integer", "an integer", intChecker(t.Bits())}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return want{numberKind, "integer", "an integer ≥ 0", uintChecker(t.Bits())}
	case reflect.Float32, reflect.Float64:
		return want{numberKind, "number", "a number", floatChecker(t.Bits())}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return want{stringKind, "base64", "base64 text", checkBase64}
		}
		return want{listKind, "list", "a list", nil}
	case reflect.Array:
		return want{listKind, "list", "a list", nil}
	case reflect.Map, reflect.Struct:
		return want{objectKind, "object", "an object", nil}
	}
	return want{kind: anyKind}
}

// textChecker checks a string with the UnmarshalText method of t.
func textChecker(t reflect.Type, must string) func(string) string {
	return func(s string) string {
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return must
		}
		return ""
	}
}

func intChecker(bits int) func(string) string {
	return func(s string) string {
		_, err := strconv.ParseInt(s, 10, bits)
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Sprintf("an integer from %d to %d", int64(-1)<<(bits-1), int64(1)<<(bits-1)-1)
		}
		if err != nil {
			return "an integer"
		}
		return ""
	}
}

// uintChecker reports a negative integer as out of range.
func uintChecker(bits int) func(string) string {
	return func(s string) string {
		_, err := strconv.ParseUint(s, 10, bits)
		if err == nil {
			return ""
		}
		_, signedErr := strconv.ParseInt(s, 10, 64)
		if errors.Is(err, strconv.ErrRange) || signedErr == nil || errors.Is(signedErr, strconv.ErrRange) {
			return fmt.Sprintf("an integer from 0 to %d", uint64(math.MaxUint64)>>(64-bits))
		}
		return "an integer ≥ 0"
	}
}

func floatChecker(bits int) func(string) string {
	return func(s string) string {
		if _, err := strconv.ParseFloat(s, bits); err != nil {
			return "a finite number"
		}
		return ""
	}
}

func checkBase64(s string) string {
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		return "base64 text"
	}
	return ""
}

// jsonKindOf is the kind of the value a token starts.
func jsonKindOf(tok json.Token) jsonKind {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '{' {
			return objectKind
		}
		return listKind
	case string:
		return stringKind
	case json.Number:
		return numberKind
	case bool:
		return boolKind
	}
	return anyKind
}

// gotToken names the kind of value a token starts, for a message.
func gotToken(tok json.Token) string {
	switch tok := tok.(type) {
	case bool:
		return strconv.FormatBool(tok)
	case nil:
		return "null"
	}
	return [...]string{objectKind: "an object", listKind: "a list", stringKind: "a string", numberKind: "a number"}[jsonKindOf(tok)]
}

// maxEchoedNumber is the most characters of a number a message repeats.
const maxEchoedNumber = 40

// echo repeats a string (quoted) or number the client sent, cut short.
func echo(tok json.Token, text string) string {
	if _, isString := tok.(string); isString {
		return quoteCut(text)
	}
	if len(text) > maxEchoedNumber {
		return fmt.Sprintf("%s... (%d characters)", text[:maxEchoedNumber], len(text))
	}
	return text
}

// maxQuoted is the longest quoted form of client text a message repeats,
// in bytes.
const maxQuoted = 80

// quoteCut quotes s, cut so that the quoted form stays within maxQuoted
// bytes, with the length of s when cut.
func quoteCut(s string) string {
	q := strconv.Quote(s)
	if len(q) <= maxQuoted {
		return q
	}
	for cut := min(len(s), maxQuoted); ; cut-- {
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if q = strconv.Quote(s[:cut]); len(q) <= maxQuoted || cut == 0 {
			return q + fmt.Sprintf("... (%d bytes)", len(s))
		}
	}
}

// clientText makes a name the client wrote fit a field: at most 64 bytes
// of valid UTF-8.
func clientText(s string) string {
	if len(s) > 64 {
		n := 64
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
