package main

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

// TestRepositoriesInATestTransaction tests the repositories directly, each
// test body inside a transaction that txtest rolls back when it ends (see
// docs/testing.md): the rows it writes are visible inside and gone after.
func TestRepositoriesInATestTransaction(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		txtest.Run(t, db, func(ctx context.Context) {
			var authors authorRepository
			var articles articleRepository
			ada := Author{Name: "Ada", Email: "ada@example.com"}
			if err := authors.create(ctx, &ada); err != nil {
				t.Fatal(err)
			}
			art := Article{AuthorID: ada.ID, Title: "Notes", Status: "draft"}
			err := txctx.Run(ctx, func(ctx context.Context) error { return articles.create(ctx, &art) }) // a savepoint here
			if err != nil {
				t.Fatal(err)
			}
			updated, err := articles.update(ctx, art.ID, 1, map[string]any{"title": "More notes"})
			if err != nil || updated.Version != 2 || updated.Title != "More notes" {
				t.Fatalf("update: %+v, %v; want version 2 and the new title", updated, err)
			}
			if _, err := articles.update(ctx, art.ID, 1, map[string]any{"title": "Stale"}); !errors.Is(err, entities.ErrStaleEntity) {
				t.Errorf("update of version 1 again: %v, want ErrStaleEntity", err)
			}
			deleted, err := articles.delete(ctx, art.ID)
			if err != nil || deleted.ID != art.ID || deleted.AuthorID != ada.ID || deleted.Title != "More notes" {
				t.Fatalf("delete: %+v, %v; want the article as it was", deleted, err)
			}
			if _, err := articles.delete(ctx, art.ID); !errors.Is(err, gorm.ErrRecordNotFound) {
				t.Errorf("second delete: %v, want gorm.ErrRecordNotFound", err)
			}
			if _, err := authors.get(ctx, ada.ID); err != nil {
				t.Errorf("the author is not visible inside the test transaction: %v", err)
			}
		})
		var n int64
		if err := db.Model(&Author{}).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%d authors after the test transaction (%v), want 0: it was not rolled back", n, err)
		}
	})
}
