package hooks

import (
	"reflect"
	"slices"
	"strings"

	"gorm.io/gorm/schema"
)

// Association fields (belongs-to, has-one, has-many, many2many) without a
// validate tag of their own are left out of a row's validation: GORM saves
// the rows they hold with statements of their own, where the plugin
// validates them as rows of their model, and a zero association (an Order
// whose Customer is not loaded, only its CustomerID set) is not written at
// all, so its empty required fields must not refuse the row that holds it.
// An association field that carries a validate tag (`validate:"required"`,
// `validate:"min=1,dive"`) is validated as the tag says, as the validator
// always does.

// relationFields returns, for every association field of s (those of
// embedded structs included: GORM lists them among the model's own, as it
// lists under "_Parent_Field" the relations of other models that point to
// s, which are skipped), its
// validator namespace below the model ("Customer", "Meta.Owner") and its
// struct index path from the model, embedded pointers counted as values.
func relationFields(s *schema.Schema) (names []string, index [][]int) {
	for _, rel := range s.Relationships.Relations {
		if rel.Schema != s || !holdsRelated(rel) || hasValidateTag(rel.Field) {
			continue
		}
		_, path := walk(s.ModelType, rel.Field.StructField.Index)
		name := strings.Join(path, ".")
		if len(path) == 0 || slices.Contains(names, name) {
			continue
		}
		names = append(names, name)
		index = append(index, valueIndex(rel.Field.StructField.Index))
	}
	return names, index
}

// valueIndex is a GORM field index with its embedded-pointer marks
// (negative entries) turned back into plain field positions.
func valueIndex(index []int) []int {
	out := make([]int, len(index))
	for i, x := range index {
		if x < 0 {
			x = -x - 1
		}
		out[i] = x
	}
	return out
}

// holdsRelated reports whether rel's field holds rows of the related model
// (a struct, a pointer to one, or a slice of either).
func holdsRelated(rel *schema.Relationship) bool {
	if rel.Field == nil || rel.FieldSchema == nil {
		return false
	}
	t := rel.Field.StructField.Type
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	return t == rel.FieldSchema.ModelType
}

// hasValidateTag reports whether f carries rules of its own.
func hasValidateTag(f *schema.Field) bool {
	_, ok := f.StructField.Tag.Lookup("validate")
	return ok
}
