package scopes

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// valueType is what Decode checks each value of a parameter against
// before decoding it, so that a bad value is reported in the client's
// terms rather than in those of the Go type it is read into.
type valueType struct {
	rule string // the ParamError rule of a value that fails check
	// check returns "" when s is a valid value, otherwise what the value
	// must be ("an integer", "true or false", ...).
	check func(s string) string
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	uuidType     = reflect.TypeFor[uuid.UUID]()
)

const (
	mustBeTime     = "an RFC 3339 time, like 2026-01-31T10:00:00Z"
	mustBeUUID     = "a UUID, like 0190a7a4-7c1e-7000-8000-000000000001"
	mustBeDuration = "a duration, like 90s, 15m or 2h30m"
)

// valueTypeOf returns the checks of values read into t, or nil for text
// and the types Decode leaves to the form decoder.
func valueTypeOf(t reflect.Type) *valueType {
	switch t {
	case timeType:
		return &valueType{rule: "time", check: checkTime}
	case durationType:
		return &valueType{rule: "duration", check: checkDuration}
	case uuidType:
		return &valueType{rule: "uuid", check: checkUUID}
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &valueType{rule: "integer", check: intChecker(t.Bits())}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &valueType{rule: "integer", check: uintChecker(t.Bits())}
	case reflect.Float32, reflect.Float64:
		return &valueType{rule: "number", check: floatChecker(t.Bits())}
	case reflect.Bool:
		return &valueType{rule: "boolean", check: checkBool}
	}
	return nil
}

// emptyIsAbsent says whether the form decoder skips an empty value of this
// type, as it does for numbers, bools and times (not for UUIDs and
// durations, whose parsers it calls).
func (vt *valueType) emptyIsAbsent() bool { return vt.rule != "uuid" && vt.rule != "duration" }

func intChecker(bits int) func(string) string {
	return func(s string) string {
		_, err := strconv.ParseInt(s, 10, bits)
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Sprintf("an integer from %d to %d", -1<<(bits-1), 1<<(bits-1)-1)
		}
		if err != nil {
			return "an integer"
		}
		return ""
	}
}

func uintChecker(bits int) func(string) string {
	return func(s string) string {
		_, err := strconv.ParseUint(s, 10, bits)
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Sprintf("an integer from 0 to %d", uint64(math.MaxUint64)>>(64-bits))
		}
		if err != nil {
			return "an integer ≥ 0"
		}
		return ""
	}
}

// floatChecker accepts finite numbers only: NaN and infinities are no
// value a client means to filter by.
func floatChecker(bits int) func(string) string {
	return func(s string) string {
		f, err := strconv.ParseFloat(s, bits)
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrSyntax) {
			return "a number"
		}
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "a finite number"
		}
		return ""
	}
}

// checkBool accepts what the form decoder reads as a bool.
func checkBool(s string) string {
	switch s {
	case "1", "t", "T", "true", "TRUE", "True", "on", "yes", "ok",
		"0", "f", "F", "false", "FALSE", "False", "off", "no":
		return ""
	}
	return "true or false"
}

func checkTime(s string) string {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return mustBeTime
	}
	return ""
}

func checkUUID(s string) string {
	if _, err := uuid.Parse(s); err != nil {
		return mustBeUUID
	}
	return ""
}

func checkDuration(s string) string {
	if _, err := time.ParseDuration(s); err != nil {
		return mustBeDuration
	}
	return ""
}
