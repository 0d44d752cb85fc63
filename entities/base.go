package entities

import (
	"time"

	"github.com/google/uuid"
)

// BaseEntity is embedded by every entity. It carries no columns; it marks a
// struct as an entity for readers of the code.
type BaseEntity struct{}

// IdentifiableEntity gives a model a UUID primary key named ID.
//
// With the hooks plugin registered, a zero ID gets a UUIDv7 on every create
// path (monotonic within the process, so keys sort by creation time); an ID
// set before the create is kept.
type IdentifiableEntity struct {
	ID uuid.UUID `gorm:"type:uuid;primaryKey" json:"id" validate:"-"`
}

// DatedEntity gives a model CreatedAt and UpdatedAt columns.
//
// With the hooks plugin registered, both are set from the plugin's clock when
// a row is created (when zero), UpdatedAt is set and written on every update
// through Save, Updates and Update, and CreatedAt is never overwritten by an
// update. Values are UTC truncated to microseconds, so a row read back from
// PostgreSQL or SQLite compares equal (==) to the row written.
//
// GORM's own automatic timestamps are switched off for these two fields so
// that the plugin's clock is the only one that writes them.
type DatedEntity struct {
	CreatedAt time.Time `gorm:"not null;autoCreateTime:false" json:"created_at" validate:"-"`
	UpdatedAt time.Time `gorm:"not null;autoUpdateTime:false" json:"updated_at" validate:"-"`
}

// Entity is the common case in one embed: a UUID primary key and both
// timestamps.
//
// The validate:"-" tags keep validators from walking into the embedded
// structs, whose fields the plugin sets itself.
type Entity struct {
	IdentifiableEntity `validate:"-"`
	DatedEntity        `validate:"-"`
}
