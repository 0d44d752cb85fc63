package entities

import "errors"

// ErrStaleEntity is matched (with errors.Is) by the error of an update whose
// Version no longer matches the row in the database: someone else updated it
// first. Nothing was changed; reload the row and apply the change again.
var ErrStaleEntity = errors.New("entities: stale entity: the row was changed or deleted since it was read")

// VersionedEntity gives a model optimistic locking through a Version column.
//
// With the hooks plugin registered, a create starts the version at 1, and
// every update through Save, Updates or Update adds "WHERE version = <the
// version in memory>" and "SET version = version + 1". An update that matches
// no row fails with a [*StaleEntityError] (errors.Is(err, ErrStaleEntity)) and
// changes nothing; a successful one leaves the new version in the struct.
type VersionedEntity struct {
	Version int64 `gorm:"not null" json:"version"`
}
