package entities

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// ErrNotDeleted is matched (with errors.Is) by the error of [Restore] when no
// soft-deleted row has the model's primary key: the row does not exist, or
// it is not deleted.
var ErrNotDeleted = errors.New("entities: no soft-deleted row with that primary key")

// Restore brings back the soft-deleted row of model, a pointer to a struct
// embedding [SoftDeletableEntity] whose primary key is set: it clears
// DeletedAt in the database and in model. With the hooks plugin it is an
// update like any other, so UpdatedAt is written and a [VersionedEntity] is
// version-checked.
//
// It fails with [ErrNotDeleted] when no deleted row has that key (also
// for a versioned model whose row is not deleted), with a
// [*StaleEntityError] when the deleted row's version is not model's, with
// gorm.ErrPrimaryKeyRequired when the key is zero, and with
// gorm.ErrInvalidField when the model has no soft-delete column. ctx bounds
// the statement.
func Restore(ctx context.Context, db *gorm.DB, model any) error {
	tx := db.WithContext(ctx)
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(model); err != nil {
		return fmt.Errorf("entities: Restore: %w", err)
	}
	s := stmt.Schema
	field := softDeleteField(s)
	if field == nil {
		return fmt.Errorf("entities: Restore: %s does not embed SoftDeletableEntity: %w", s.Name, gorm.ErrInvalidField)
	}
	key, err := primaryKey(ctx, s, model)
	if err != nil {
		return err
	}
	res := tx.Unscoped().Model(model).
		Where(clause.Neq{Column: clause.Column{Table: clause.CurrentTable, Name: field.DBName}, Value: nil}).
		Update(field.DBName, nil)
	if res.Error != nil && !(errors.Is(res.Error, ErrStaleEntity) && !deletedRowExists(tx, s, field, key)) {
		return res.Error
	}
	if res.Error != nil || res.RowsAffected == 0 {
		return fmt.Errorf("%w: %s %v (table %s)", ErrNotDeleted, s.Name, key, s.Table)
	}
	return nil
}

// deletedRowExists reports whether a soft-deleted row of s has the primary
// key key, so that a versioned Restore that matched no row tells a stale
// version (the row is deleted) from a row that is not deleted. A failed
// check counts as existing: the stale error is then returned as it was.
func deletedRowExists(tx *gorm.DB, s *schema.Schema, field *schema.Field, key []any) bool {
	q := tx.Unscoped().Table(s.Table).
		Where(clause.Neq{Column: clause.Column{Table: clause.CurrentTable, Name: field.DBName}, Value: nil})
	for i, f := range s.PrimaryFields {
		q = q.Where(clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: f.DBName}, Value: key[i]})
	}
	var n int64
	if err := q.Limit(1).Count(&n).Error; err != nil {
		return true
	}
	return n > 0
}

// softDeleteField is the DeletedAt of SoftDeletableEntity in s, or nil.
func softDeleteField(s *schema.Schema) *schema.Field {
	f := s.LookUpField("DeletedAt")
	if f == nil || f.FieldType != deletedAtType {
		return nil
	}
	return f
}

// primaryKey returns the model's primary key values, failing when one is
// zero: an update without them would restore every row.
func primaryKey(ctx context.Context, s *schema.Schema, model any) ([]any, error) {
	rv := reflectIndirect(model)
	if len(s.PrimaryFields) == 0 {
		return nil, fmt.Errorf("entities: Restore: %s has no primary key: %w", s.Name, gorm.ErrPrimaryKeyRequired)
	}
	key := make([]any, 0, len(s.PrimaryFields))
	for _, f := range s.PrimaryFields {
		v, zero := f.ValueOf(ctx, rv)
		if zero {
			return nil, fmt.Errorf("entities: Restore: set the primary key (%s) of the %s to restore: %w", f.Name, s.Name, gorm.ErrPrimaryKeyRequired)
		}
		key = append(key, v)
	}
	return key, nil
}
