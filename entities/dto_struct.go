package entities

import (
	"reflect"
)

// structPlan copies the fields two struct types share by name.
type structPlan struct {
	fields []fieldPlan
}

// fieldPlan copies one field. The index paths go through embedded structs
// for promoted fields; viaPointer says that one of them is a pointer.
type fieldPlan struct {
	name          string
	src, dst      []int
	srcViaPointer bool
	dstViaPointer bool
	conv          converter
}

// structs2 returns the converter between two struct types, reusing the plan
// of a pair already being built (a self-referencing type).
func (b *builder) structs2(src, dst reflect.Type) (converter, error) {
	key := typePair{src, dst}
	p, ok := b.structs[key]
	if !ok {
		p = &structPlan{}
		b.structs[key] = p
		if err := b.fillStruct(p, src, dst); err != nil {
			return nil, err
		}
	}
	return p.apply, nil
}

// fillStruct plans every exported field of dst that src has too.
func (b *builder) fillStruct(p *structPlan, src, dst reflect.Type) error {
	srcFields := fieldsByName(src)
	for _, df := range reflect.VisibleFields(dst) {
		if !copiedField(df) || !reachable(dst, df.Index) {
			continue
		}
		sf, ok := srcFields[df.Name]
		if !ok {
			continue
		}
		conv, err := b.build(sf.Type, df.Type)
		if err != nil {
			return inField(df.Name, err)
		}
		p.fields = append(p.fields, fieldPlan{
			name: df.Name, src: sf.Index, dst: df.Index,
			srcViaPointer: viaPointer(src, sf.Index), dstViaPointer: viaPointer(dst, df.Index),
			conv: conv,
		})
	}
	return nil
}

// copiedField reports whether f takes part in mapping: exported, and not an
// embedded struct (whose fields are promoted and copied one by one).
func copiedField(f reflect.StructField) bool {
	if !f.IsExported() {
		return false
	}
	return !(f.Anonymous && derefType(f.Type).Kind() == reflect.Struct)
}

func fieldsByName(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		if copiedField(f) && reachable(t, f.Index) {
			out[f.Name] = f
		}
	}
	return out
}

// reachable reports whether a promoted field can be read and written from
// outside t's package: not through an unexported embedded pointer, which
// reflection (like Go code) cannot follow or allocate.
func reachable(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		f := t.Field(i)
		if !f.IsExported() && f.Type.Kind() == reflect.Pointer {
			return false
		}
		t = derefType(f.Type)
	}
	return true
}

// viaPointer reports whether reaching the field at index from t goes
// through an embedded pointer.
func viaPointer(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Pointer {
			return true
		}
		t = f.Type
	}
	return false
}

func (p *structPlan) apply(st *copyState, src, dst reflect.Value) error {
	if err := st.enter(); err != nil {
		return err
	}
	defer st.leave()
	for i := range p.fields {
		f := &p.fields[i]
		s, ok := sourceField(src, f)
		if !ok {
			continue // promoted through a nil embedded pointer: nothing to copy
		}
		if err := f.conv(st, s, destField(dst, f)); err != nil {
			return inField(f.name, err)
		}
	}
	return nil
}

func sourceField(v reflect.Value, f *fieldPlan) (reflect.Value, bool) {
	if len(f.src) == 1 {
		return v.Field(f.src[0]), true
	}
	if !f.srcViaPointer {
		return v.FieldByIndex(f.src), true
	}
	s, err := v.FieldByIndexErr(f.src)
	return s, err == nil
}

// destField returns the field to write, allocating nil embedded pointers on
// the way.
func destField(v reflect.Value, f *fieldPlan) reflect.Value {
	if len(f.dst) == 1 {
		return v.Field(f.dst[0])
	}
	if !f.dstViaPointer {
		return v.FieldByIndex(f.dst)
	}
	for _, i := range f.dst[:len(f.dst)-1] {
		v = v.Field(i)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
	}
	return v.Field(f.dst[len(f.dst)-1])
}
