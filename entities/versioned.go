package entities

import (
	"errors"
	"fmt"
)

// ErrStaleEntity is matched (with errors.Is) by the error of an update whose
// Version no longer matches the row in the database: someone else updated it
// first, or deleted it. Nothing was changed; reload the row and apply the
// change again. The error is a [*StaleEntityError].
var ErrStaleEntity = errors.New("entities: stale entity: the row was changed or deleted since it was read")

// VersionedEntity gives a model optimistic locking through a Version column.
//
// With the hooks plugin registered, a create starts the version at 1, and
// every update (Save, Updates, Update, UpdateColumn(s)) of a row whose
// Version is known adds "WHERE version = <the version in memory>" and
// "SET version = version + 1". An update that matches no row fails with a
// [*StaleEntityError] (errors.Is(err, ErrStaleEntity)) and changes nothing; a
// successful one leaves the new version in the struct. An update that
// writes none of the model's columns (Updates with a zero struct or an
// empty map) is not sent at all: the version stays as it is.
//
// A Version of 0 means "not read from the database": Save of such a struct
// is a create, and fails with a [*StaleEntityError] when the row already
// exists, so that Save never overwrites a versioned row blindly. A
// statement-level update (db.Model(&T{}).Where(...).Updates(...)) has no
// version to check; it still increments the version of every row it
// changes, so that copies read earlier become stale.
type VersionedEntity struct {
	Version int64 `gorm:"not null" json:"version" validate:"-"`
}

// StaleEntityError is the error of an update or Save that found the row
// changed (or gone) since it was read. errors.Is(err, ErrStaleEntity) holds.
type StaleEntityError struct {
	// Model is the Go name of the model type, Table its table.
	Model, Table string
	// Version is the version the caller held: the one no row matched.
	Version int64
}

// Error says which row was stale and what to do.
func (e *StaleEntityError) Error() string {
	return fmt.Sprintf("%s: %s (table %s) at version %d: reload it and apply the change again",
		ErrStaleEntity.Error(), e.Model, e.Table, e.Version)
}

// Is reports whether target is ErrStaleEntity.
func (e *StaleEntityError) Is(target error) bool { return target == ErrStaleEntity }
