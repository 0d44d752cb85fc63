package entities

import (
	"errors"
	"time"
)

// ErrImmutable is returned, before any SQL is sent, by every update or delete
// of a model that embeds [ImmutableEntity]: Save of an existing row, Updates,
// Update, UpdateColumn(s) and Delete, on a loaded row or on a statement such
// as db.Model(&T{}).Where(...).Updates(...).
var ErrImmutable = errors.New("entities: entity is immutable: rows can be created but never updated or deleted")

// ImmutableEntity is for rows written once and never changed: audit logs,
// events, ledger lines. It has a UUID primary key and a creation time, and the
// hooks plugin refuses every update and delete of such a model with
// [ErrImmutable].
type ImmutableEntity struct {
	IdentifiableEntity `validate:"-"`
	CreatedAt          time.Time `gorm:"not null;autoCreateTime:false" json:"created_at" validate:"-"`
}
