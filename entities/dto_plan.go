package entities

import (
	"database/sql"
	"database/sql/driver"
	"encoding"
	"reflect"
	"sync"
)

// converter copies src into dst, which is settable and of the planned
// destination type.
type converter func(st *copyState, src, dst reflect.Value) error

// typePair names a (source, destination) pair of struct types.
type typePair struct{ src, dst reflect.Type }

// planEntry is a cached plan: its converter or the error building it.
type planEntry struct {
	conv converter
	err  error
}

// plans caches the plans by source type, then destination type: two
// lookups keyed by reflect.Type (a pointer) allocate nothing, where one
// keyed by a typePair would box the key on every call.
var plans sync.Map // reflect.Type (source) -> *sync.Map (reflect.Type (destination) -> planEntry)

// planFor returns the cached converter from src to dst, building it on
// first use. A pair that cannot be mapped caches its error.
func planFor(src, dst reflect.Type) (converter, error) {
	byDst, ok := plans.Load(src)
	if !ok {
		byDst, _ = plans.LoadOrStore(src, new(sync.Map))
	}
	cache := byDst.(*sync.Map)
	if e, ok := cache.Load(dst); ok {
		p := e.(planEntry)
		return p.conv, p.err
	}
	b := &builder{structs: map[typePair]*structPlan{}}
	conv, err := b.build(src, dst)
	if err != nil {
		err = toMappingError(src, dst, err)
		conv = nil
	}
	e, _ := cache.LoadOrStore(dst, planEntry{conv, err})
	p := e.(planEntry)
	return p.conv, p.err
}

// builder builds the converters of one top-level pair. structs holds the
// struct plans built or being built, so that a self-referencing type (a
// Node with Children []Node) reuses its own plan instead of recursing
// forever.
type builder struct {
	structs map[typePair]*structPlan
}

var (
	valuerType          = reflect.TypeFor[driver.Valuer]()
	scannerType         = reflect.TypeFor[sql.Scanner]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// build returns the converter from src to dst. The order matters: plain
// assignment first, then lossless conversion, then the pointer, interface
// and container cases.
func (b *builder) build(src, dst reflect.Type) (converter, error) {
	switch {
	case src.AssignableTo(dst):
		return assign, nil
	case convertible(src, dst):
		return convertTo(src, dst), nil
	case src.Kind() == reflect.Pointer:
		return b.fromPointer(src, dst)
	case src.Implements(valuerType) && !mappableStruct(dst):
		return fromValuer, nil
	case src.Kind() == reflect.String && reflect.PointerTo(dst).Implements(textUnmarshalerType):
		return intoText, nil
	case reflect.PointerTo(dst).Implements(scannerType):
		return intoScanner, nil
	case src.Implements(textMarshalerType) && dst.Kind() == reflect.String:
		return fromText, nil
	case dst.Kind() == reflect.Pointer:
		return b.intoPointer(src, dst)
	case src.Kind() == reflect.Slice && dst.Kind() == reflect.Slice:
		return b.slice(src, dst)
	case mappableStruct(src) && mappableStruct(dst):
		return b.structs2(src, dst)
	}
	return nil, failf("cannot copy "+src.String()+" to "+dst.String()+" (change one of the types, or rename one field so that they no longer match)", nil)
}

// mappableStruct reports whether t is a struct with exported fields. Structs
// without any (time.Time) are opaque values, never copied field by field.
func mappableStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for _, f := range reflect.VisibleFields(t) {
		if f.IsExported() {
			return true
		}
	}
	return false
}

func assign(_ *copyState, src, dst reflect.Value) error {
	dst.Set(src)
	return nil
}

// fromPointer copies *S into D: nil gives D's zero value. Into another
// pointer the pointee is copied once per source pointer, so shared and
// cyclic structures keep their shape.
func (b *builder) fromPointer(src, dst reflect.Type) (converter, error) {
	if dst.Kind() == reflect.Pointer {
		elem, err := b.build(src.Elem(), dst.Elem())
		if err != nil {
			return nil, err
		}
		return pointerToPointer(elem), nil
	}
	elem, err := b.build(src.Elem(), dst)
	if err != nil {
		return nil, err
	}
	return func(st *copyState, s, d reflect.Value) error {
		if s.IsNil() {
			d.SetZero()
			return nil
		}
		return elem(st, s.Elem(), d)
	}, nil
}

func pointerToPointer(elem converter) converter {
	return func(st *copyState, s, d reflect.Value) error {
		if s.IsNil() {
			d.SetZero()
			return nil
		}
		key := seenKey{s.Pointer(), d.Type()}
		if p, ok := st.seen[key]; ok {
			d.Set(p)
			return nil
		}
		p := reflect.New(d.Type().Elem())
		st.remember(key, p)
		if err := elem(st, s.Elem(), p.Elem()); err != nil {
			return err
		}
		d.Set(p)
		return nil
	}
}

// intoPointer copies S into *D through a new D.
func (b *builder) intoPointer(src, dst reflect.Type) (converter, error) {
	elem, err := b.build(src, dst.Elem())
	if err != nil {
		return nil, err
	}
	return func(st *copyState, s, d reflect.Value) error {
		p := reflect.New(d.Type().Elem())
		if err := elem(st, s, p.Elem()); err != nil {
			return err
		}
		d.Set(p)
		return nil
	}, nil
}

// slice copies []S into []D element by element; nil stays nil.
func (b *builder) slice(src, dst reflect.Type) (converter, error) {
	elem, err := b.build(src.Elem(), dst.Elem())
	if err != nil {
		return nil, inField("[]", err)
	}
	return func(st *copyState, s, d reflect.Value) error {
		if s.IsNil() {
			d.SetZero()
			return nil
		}
		if err := st.enter(); err != nil {
			return err
		}
		defer st.leave()
		n := s.Len()
		d.SetZero()
		d.Grow(n) // unlike MakeSlice, allocates the array only
		d.SetLen(n)
		for i := range n {
			if err := elem(st, s.Index(i), d.Index(i)); err != nil {
				d.SetZero()
				return inField("["+itoa(i)+"]", err)
			}
		}
		return nil
	}, nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var buf [20]byte
	n := len(buf)
	for ; i > 0; i /= 10 {
		n--
		buf[n] = byte('0' + i%10)
	}
	return string(buf[n:])
}
