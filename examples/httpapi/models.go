package main

import (
	"github.com/google/uuid"

	"github.com/gormext/gormext/entities"
)

// Author writes articles. Its e-mail is unique.
type Author struct {
	entities.Entity
	Name  string `gorm:"not null" json:"name" validate:"required,max=100"`
	Email string `gorm:"not null;uniqueIndex" json:"email" validate:"required,email,max=254"`
}

// Article is written by an Author. Its Version (optimistic locking) must be
// sent back with every change, so that two editors cannot overwrite each
// other's work.
type Article struct {
	entities.Entity
	entities.VersionedEntity
	AuthorID uuid.UUID `gorm:"type:uuid;not null;index" json:"author_id"`
	Author   *Author   `gorm:"constraint:OnDelete:RESTRICT" json:"-" validate:"-"` // the foreign key; never loaded
	Title    string    `gorm:"not null" json:"title" validate:"required,max=200"`
	Body     string    `gorm:"not null" json:"body" validate:"max=100000"`
	Status   string    `gorm:"not null;index" json:"status" validate:"oneof=draft published"`
}

// AuditEntry is one line of the audit log. It embeds ImmutableEntity:
// written once, never updated or deleted.
type AuditEntry struct {
	entities.ImmutableEntity
	Action   string    `gorm:"not null" json:"action" validate:"required"`
	EntityID uuid.UUID `gorm:"type:uuid;not null;index" json:"entity_id"`
	Detail   string    `gorm:"not null" json:"detail"`
}

// Models lists every model of the service, in the order their tables are
// created.
func Models() []any { return []any{&Author{}, &Article{}, &AuditEntry{}} }
