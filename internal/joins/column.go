package joins

import (
	"fmt"

	"gorm.io/gorm/schema"
)

// Column resolves the column col of the association assoc of s, as a
// filter or sort names it with "Assoc.column". The association must be
// belongs-to or has-one: a has-many or many-to-many join repeats the
// model's rows, so it is refused. The error says what is wrong, for the
// caller to prefix.
func Column(s *schema.Schema, assoc, col string) (*schema.Relationship, *schema.Field, error) {
	rel := s.Relationships.Relations[assoc]
	if rel == nil {
		return nil, nil, fmt.Errorf("the model %s has no association %q", s.Name, assoc)
	}
	if rel.Type != schema.BelongsTo && rel.Type != schema.HasOne {
		return nil, nil, fmt.Errorf("%s.%s is a %s association; only columns of belongs-to and has-one associations can be used, as other joins repeat rows",
			s.Name, assoc, rel.Type)
	}
	f := rel.FieldSchema.FieldsByDBName[col]
	if f == nil {
		return nil, nil, fmt.Errorf("the association %s of %s has no column %q", assoc, s.Name, col)
	}
	return rel, f, nil
}
