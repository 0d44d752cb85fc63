package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormext/gormext/txctx"
)

// authorRepository reads and writes authors. Like every repository here it
// holds no connection: it asks txctx.DB(ctx) for the request's session.
type authorRepository struct{}

func (authorRepository) create(ctx context.Context, a *Author) error {
	return txctx.DB(ctx).Create(a).Error
}

func (authorRepository) get(ctx context.Context, id uuid.UUID) (Author, error) {
	var a Author
	err := txctx.DB(ctx).Take(&a, "id = ?", id).Error
	return a, err
}

// auditRepository appends to the audit log.
type auditRepository struct {
	// afterCommit is Config.AfterCommit.
	afterCommit func(ctx context.Context, entry AuditEntry)
	// log receives the failures of recordRefused, which happen after the
	// response was sent.
	log *slog.Logger
}

// record appends one entry, in the request's transaction: it is committed
// with the change it describes, or not at all.
func (r auditRepository) record(ctx context.Context, action string, entityID uuid.UUID, detail string) error {
	entry := AuditEntry{Action: action, EntityID: entityID, Detail: detail}
	if err := txctx.DB(ctx).Create(&entry).Error; err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	if r.afterCommit != nil {
		txctx.AfterCommit(ctx, func(ctx context.Context) { r.afterCommit(ctx, entry) })
	}
	return nil
}

// recordRefused appends one entry for a change the service refused, once
// the request's transaction has rolled back (txctx.AfterRollback), in a
// transaction of its own (txctx.RunNew): the entry is committed although
// the change it describes was not. Waiting for the rollback is what makes
// this portable: on SQLite a RunNew cannot write while the request's
// transaction holds the write lock. A failure to write the entry is
// logged; the client's answer was sent already.
func (r auditRepository) recordRefused(ctx context.Context, action string, entityID uuid.UUID, detail string) {
	txctx.AfterRollback(ctx, func(ctx context.Context) {
		err := txctx.RunNew(ctx, func(ctx context.Context) error { return r.record(ctx, action, entityID, detail) })
		if err != nil {
			r.log.ErrorContext(ctx, "recording a refused change", "action", action, "entity_id", entityID, "error", err)
		}
	})
}

// articleRepository reads and writes articles; the listings are in
// listing.go.
type articleRepository struct{}

func (articleRepository) create(ctx context.Context, a *Article) error {
	return txctx.DB(ctx).Create(a).Error
}

func (articleRepository) get(ctx context.Context, id uuid.UUID) (Article, error) {
	var a Article
	err := txctx.DB(ctx).Take(&a, "id = ?", id).Error
	return a, err
}

// update writes the changed fields of the article with the given id and
// version, and returns the article as it is now. A version that is no
// longer current fails with entities.ErrStaleEntity; an id that does not
// exist with gorm.ErrRecordNotFound.
func (r articleRepository) update(ctx context.Context, id uuid.UUID, version int64, changes map[string]any) (Article, error) {
	a := Article{}
	a.ID, a.Version = id, version
	err := txctx.DB(ctx).Model(&a).Updates(changes).Error
	if err != nil {
		return Article{}, r.explainMissing(ctx, id, err)
	}
	return r.get(ctx, id)
}

// delete removes the article with the given id and returns it as it was
// (DELETE ... RETURNING: one statement, a write first, on both databases).
func (articleRepository) delete(ctx context.Context, id uuid.UUID) (Article, error) {
	var a Article
	res := txctx.DB(ctx).Clauses(clause.Returning{}).Where("id = ?", id).Delete(&a)
	if res.Error == nil && res.RowsAffected == 0 {
		return Article{}, gorm.ErrRecordNotFound
	}
	return a, res.Error
}

// explainMissing turns a failed versioned update into not-found when the
// row does not exist at all.
func (r articleRepository) explainMissing(ctx context.Context, id uuid.UUID, err error) error {
	if _, getErr := r.get(ctx, id); errors.Is(getErr, gorm.ErrRecordNotFound) {
		return getErr
	}
	return err
}
