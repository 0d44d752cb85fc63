package main

import (
	"github.com/google/uuid"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// Author writes articles. Embedding entities.Entity gives it a UUIDv7 ID and
// CreatedAt/UpdatedAt, set by the hooks plugin.
type Author struct {
	entities.Entity
	Name  string `gorm:"not null" validate:"required,max=100"`
	Email string `gorm:"not null;uniqueIndex" validate:"required,email"`
}

// TableName keeps the tour's tables apart from any the database already has.
func (Author) TableName() string { return "tour_authors" }

// Article is written by an Author. Its validate tags are checked by the
// hooks plugin before any SQL is sent.
type Article struct {
	entities.Entity
	AuthorID uuid.UUID `gorm:"type:uuid;not null;index"`
	Title    string    `gorm:"not null" validate:"required,max=200"`
	Status   string    `gorm:"not null" validate:"oneof=draft published"`
}

// TableName keeps the tour's tables apart from any the database already has.
func (Article) TableName() string { return "tour_articles" }

// AuditEntry is a line of the audit log: embedding entities.ImmutableEntity
// means it can be created but never updated or deleted.
type AuditEntry struct {
	entities.ImmutableEntity
	Action string `gorm:"not null" validate:"required"`
}

// TableName keeps the tour's tables apart from any the database already has.
func (AuditEntry) TableName() string { return "tour_audit_entries" }

// ArticleFilter is what a listing of articles may be filtered by. The filter
// tags name the column and the operator; nil and empty fields are skipped.
type ArticleFilter struct {
	TitleContains string     `filter:"title,icontains"`
	AuthorID      *uuid.UUID `filter:"author_id"`
	Status        []string   `filter:"status,in"`
}

// ArticleFeed is the same filter with a sort and a keyset (cursor) page, as
// scopes.QueryOperations reads them; scopes.Decode would fill it from
// ?title_icontains=go&sort=-created_at&after=<cursor>&limit=2.
type ArticleFeed struct {
	ArticleFilter
	scopes.Sorting
	pagination.CursorFilter
}

// tables lists the tour's models in creation order.
func tables() []any { return []any{&Author{}, &Article{}, &AuditEntry{}} }
