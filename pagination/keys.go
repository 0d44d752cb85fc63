package pagination

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/joins"
)

// key is an Order resolved against a schema: a column of the model, a
// column of a belongs-to or has-one association (rel set), or a declared
// expression (expr set).
type key struct {
	Order
	field *schema.Field        // the column's field; of the association's schema when rel is set
	rel   *schema.Relationship // the association a joined column belongs to
	expr  *Expression
	col   any       // what column() returns, made once by resolve
	fits  kinds     // the kinds of cursor value that stand for the key's, worked out by resolve
	read  fieldRead // how a cursor reads the key's value from a row of the model, worked out by resolve

	// linked: the key is a NOT NULL column of its association, so every
	// row an INNER JOIN of it keeps has a value (see [linked]).
	linked bool
	// present: linked, and this statement joins the association with an
	// INNER JOIN, so the key's values are never NULL.
	present bool
}

// nullable reports whether the key's values may be NULL. A joined column
// always may: the association is LEFT JOINed, and rows without one have
// NULL there.
func (k key) nullable() bool {
	switch {
	case k.expr != nil:
		return !k.expr.notNull
	case k.rel != nil:
		return true
	}
	return !k.field.PrimaryKey && !k.field.NotNull
}

// valuesNullable reports whether the key's values may be NULL in the rows
// a keyset predicate compares: nullable, unless the key is a joined column
// that this statement's join is known to fill (see [settle]). The ORDER BY
// keeps the key's NULL placement either way (see [orderBy]).
func (k key) valuesNullable() bool { return k.nullable() && !k.present }

// column returns what the SQL names the key by: the quoted column, with
// the join's alias for a joined one, or the parenthesised expression.
func (k key) column() any {
	if k.col != nil {
		return k.col
	}
	return k.makeColumn()
}

func (k key) makeColumn() any {
	switch {
	case k.expr != nil:
		return k.expr.clause()
	case k.rel != nil:
		return clause.Column{Table: k.rel.Name, Name: k.field.DBName}
	}
	return clause.Column{Table: clause.CurrentTable, Name: k.field.DBName}
}

// name is how cursors and messages name the key.
func (k key) name() string {
	switch {
	case k.expr != nil:
		return k.expr.name
	case k.rel != nil:
		return k.rel.Name + "." + k.field.DBName
	}
	return k.field.DBName
}

// valueType is the Go type a cursor value of the key decodes into.
func (k key) valueType() reflect.Type {
	if k.expr != nil {
		return k.expr.typ
	}
	return k.field.FieldType
}

// decode reads the key's value from its cursor form (see decodeValue).
func (k key) decode(raw json.RawMessage) (any, error) {
	return decodeValue(raw, k.valueType(), k.fits)
}

// custom reports whether a GORM serializer writes the key's values.
func (k key) custom() bool { return k.expr == nil && k.field.Serializer != nil }

// resolveKey checks one order against s: its expression, its joined
// column ("Assoc.column") or its own column.
func resolveKey(s *schema.Schema, o Order) (key, error) {
	if o.Expr != nil {
		return exprKey(o)
	}
	if assoc, col, ok := strings.Cut(o.Column, "."); ok {
		rel, f, err := JoinedColumn(s, assoc, col)
		if err != nil {
			return key{}, err
		}
		return key{Order: o, field: f, rel: rel, linked: linked(rel, f)}, nil
	}
	f := s.LookUpField(o.Column)
	if f == nil || f.DBName == "" {
		return key{}, fmt.Errorf("%w %q on %s", ErrUnknownColumn, o.Column, s.Name)
	}
	return key{Order: o, field: f}, nil
}

// JoinedColumn resolves the column col of the association assoc of s, as
// a filter or sort names it with "Assoc.column". The association must be
// belongs-to or has-one: a has-many or many-to-many join repeats the
// model's rows, so it is refused. Errors match ErrUnknownColumn.
func JoinedColumn(s *schema.Schema, assoc, col string) (*schema.Relationship, *schema.Field, error) {
	rel, f, err := joins.Column(s, assoc, col)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s", ErrUnknownColumn, err)
	}
	return rel, f, nil
}

// joinedValue reads a joined key's value from row's association field, as
// the join filled it: nil when the association is absent (a nil pointer,
// or a struct whose primary key the LEFT JOIN left zero).
func joinedValue(ctx context.Context, s *schema.Schema, k key, row reflect.Value) (any, error) {
	rel := s.Relationships.Relations[k.rel.Name]
	if rel == nil || rel.FieldSchema.Table != k.rel.FieldSchema.Table {
		return nil, fmt.Errorf("%w %q: the result type %s lacks the association", ErrUnknownColumn, k.name(), s.Name)
	}
	assoc := reflect.Indirect(rel.Field.ReflectValueOf(ctx, row))
	if !assoc.IsValid() {
		return nil, nil
	}
	if pk := rel.FieldSchema.PrioritizedPrimaryField; pk != nil {
		if _, zero := pk.ValueOf(ctx, assoc); zero {
			return nil, nil
		}
	}
	f := rel.FieldSchema.FieldsByDBName[k.field.DBName]
	if f == nil {
		return nil, fmt.Errorf("%w %q: the association %s of the result type %s lacks it", ErrUnknownColumn, k.name(), rel.Name, s.Name)
	}
	v, _ := f.ValueOf(ctx, assoc)
	return v, nil
}

// readColumns are the columns of a joined key's association that a cursor
// reads from the joined struct: the key's column, and the primary key that
// tells a missing association from a present one.
func (k key) readColumns() []string {
	cols := []string{k.field.DBName}
	if pk := k.rel.FieldSchema.PrioritizedPrimaryField; pk != nil && pk.DBName != k.field.DBName {
		cols = append(cols, pk.DBName)
	}
	return cols
}

// binding names the key in a cursor's signature.
func (k key) binding() string {
	if k.expr != nil {
		return k.expr.binding()
	}
	return k.name()
}
