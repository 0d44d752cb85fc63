package entities

import (
	"database/sql"
	"database/sql/driver"
	"encoding"
	"reflect"
	"strconv"
)

// maxDepth bounds the nesting of structs and slices a copy goes through:
// deeper data is refused rather than exhausting the stack.
const maxDepth = 1000

// copyState is the state of one copy: the pointers already copied (for
// shared and cyclic data) and the current depth.
type copyState struct {
	seen  map[seenKey]reflect.Value
	depth int
}

type seenKey struct {
	ptr uintptr
	dst reflect.Type
}

func (st *copyState) remember(k seenKey, p reflect.Value) {
	if st.seen == nil {
		st.seen = map[seenKey]reflect.Value{}
	}
	st.seen[k] = p
}

func (st *copyState) enter() error {
	st.depth++
	if st.depth > maxDepth {
		return failf("nested more than "+strconv.Itoa(maxDepth)+" levels deep", nil)
	}
	return nil
}

func (st *copyState) leave() { st.depth-- }

// convertible reports whether a Go conversion from src to dst loses nothing
// that a runtime check cannot catch: named and unnamed forms of one kind,
// integers to integers and floats to floats (range-checked), strings to and
// from byte and rune slices. Integer to string (a rune), float to integer
// (truncation) and the like are refused.
func convertible(src, dst reflect.Type) bool {
	if !src.ConvertibleTo(dst) {
		return false
	}
	sk, dk := src.Kind(), dst.Kind()
	switch {
	case isInt(sk) && isInt(dk), isFloat(sk) && isFloat(dk):
		return true
	case sk == reflect.String && dk == reflect.Slice, sk == reflect.Slice && dk == reflect.String:
		return true
	case sk != dk:
		return false
	case sk == reflect.Struct:
		return false // identical field lists: copy field by field instead, as for any struct
	}
	return sk != reflect.Pointer
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uintptr
}

func isFloat(k reflect.Kind) bool { return k == reflect.Float32 || k == reflect.Float64 }

func isSigned(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Int64 }

// convertTo converts between the types convertible allows, refusing values
// that do not fit the destination.
func convertTo(src, dst reflect.Type) converter {
	sk, dk := src.Kind(), dst.Kind()
	switch {
	case isInt(sk) && isInt(dk):
		return func(_ *copyState, s, d reflect.Value) error {
			if !intFits(s, d) {
				return failf("value "+intString(s)+" does not fit in "+d.Type().String(), nil)
			}
			setInt(s, d) // unlike Convert, allocates nothing
			return nil
		}
	case isFloat(sk) && isFloat(dk):
		return func(_ *copyState, s, d reflect.Value) error {
			if d.OverflowFloat(s.Float()) {
				return failf("value "+strconv.FormatFloat(s.Float(), 'g', -1, 64)+" does not fit in "+d.Type().String(), nil)
			}
			d.SetFloat(s.Float())
			return nil
		}
	case sk == reflect.String && dk == reflect.String:
		return func(_ *copyState, s, d reflect.Value) error {
			d.SetString(s.String())
			return nil
		}
	}
	return func(_ *copyState, s, d reflect.Value) error {
		d.Set(s.Convert(d.Type()))
		return nil
	}
}

func intFits(s, d reflect.Value) bool {
	sSigned, dSigned := isSigned(s.Kind()), isSigned(d.Kind())
	switch {
	case sSigned && dSigned:
		return !d.OverflowInt(s.Int())
	case sSigned:
		return s.Int() >= 0 && !d.OverflowUint(uint64(s.Int()))
	case dSigned:
		u := s.Uint()
		return u <= 1<<63-1 && !d.OverflowInt(int64(u))
	}
	return !d.OverflowUint(s.Uint())
}

// setInt stores the integer s, known to fit, into d.
func setInt(s, d reflect.Value) {
	switch {
	case isSigned(s.Kind()) && isSigned(d.Kind()):
		d.SetInt(s.Int())
	case isSigned(s.Kind()):
		d.SetUint(uint64(s.Int()))
	case isSigned(d.Kind()):
		d.SetInt(int64(s.Uint()))
	default:
		d.SetUint(s.Uint())
	}
}

func intString(v reflect.Value) string {
	if isSigned(v.Kind()) {
		return strconv.FormatInt(v.Int(), 10)
	}
	return strconv.FormatUint(v.Uint(), 10)
}

// fromValuer copies what a driver.Valuer's Value returns: nil gives the zero
// value (a nil pointer), anything else is assigned or converted.
func fromValuer(_ *copyState, s, d reflect.Value) error {
	v, err := s.Interface().(driver.Valuer).Value()
	if err != nil {
		return failf("Value failed", err)
	}
	if v == nil {
		d.SetZero()
		return nil
	}
	return setDynamic(reflect.ValueOf(v), d)
}

// setDynamic stores a value known only at run time into d, through a new
// pointer when d is one.
func setDynamic(v, d reflect.Value) error {
	target := d
	if d.Kind() == reflect.Pointer && !v.Type().AssignableTo(d.Type()) {
		target = reflect.New(d.Type().Elem()).Elem()
	}
	switch {
	case v.Type().AssignableTo(target.Type()):
		target.Set(v)
	case convertible(v.Type(), target.Type()):
		if err := convertTo(v.Type(), target.Type())(nil, v, target); err != nil {
			return err
		}
	default:
		return failf("cannot copy "+v.Type().String()+" to "+target.Type().String(), nil)
	}
	if target != d {
		d.Set(target.Addr())
	}
	return nil
}

// intoScanner hands the source value to the destination's Scan method.
func intoScanner(_ *copyState, s, d reflect.Value) error {
	if err := d.Addr().Interface().(sql.Scanner).Scan(s.Interface()); err != nil {
		return failf("Scan failed", err)
	}
	return nil
}

func fromText(_ *copyState, s, d reflect.Value) error {
	b, err := s.Interface().(encoding.TextMarshaler).MarshalText()
	if err != nil {
		return failf("MarshalText failed", err)
	}
	d.SetString(string(b))
	return nil
}

func intoText(_ *copyState, s, d reflect.Value) error {
	if err := d.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s.String())); err != nil {
		return failf("cannot read "+strconv.Quote(truncate(s.String(), 64))+" as "+d.Type().String(), err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
