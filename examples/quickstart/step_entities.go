package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/txctx"
)

// createTables drops the tour's tables if an earlier run left them and
// creates them again.
func (t *tour) createTables(ctx context.Context) error {
	t.section("Tables")
	m := txctx.DB(ctx).Migrator()
	if err := m.DropTable(tables()...); err != nil {
		return fmt.Errorf("dropping the tour's tables: %w", err)
	}
	if err := txctx.DB(ctx).AutoMigrate(tables()...); err != nil {
		return fmt.Errorf("creating the tour's tables: %w", err)
	}
	t.say("   created tour_authors, tour_articles and tour_audit_entries with AutoMigrate")
	return nil
}

// entities shows what embedding entities.Entity gives a model: a UUIDv7 key
// and timestamps from the plugin's clock.
func (t *tour) entities(ctx context.Context) error {
	t.section("Entities: UUIDv7 keys and timestamps")
	t.ada = Author{Name: "Ada Lovelace", Email: "ada@example.com"}
	if err := txctx.DB(ctx).Create(&t.ada).Error; err != nil {
		return fmt.Errorf("creating an author: %w", err)
	}
	t.say("   created author %q: the ID is a version %d UUID, created_at %s, updated_at %s",
		t.ada.Name, t.ada.ID.Version(), hhmm(t.ada.CreatedAt), hhmm(t.ada.UpdatedAt))

	t.clock.Advance(30 * time.Minute)
	if err := txctx.DB(ctx).Model(&t.ada).Updates(map[string]any{"email": "ada@analytical.engine"}).Error; err != nil {
		return fmt.Errorf("updating an author: %w", err)
	}
	var reloaded Author
	if err := txctx.DB(ctx).First(&reloaded, "id = ?", t.ada.ID).Error; err != nil {
		return fmt.Errorf("reloading an author: %w", err)
	}
	t.say("   at %s, a map update of her e-mail: updated_at %s (written by the plugin), created_at still %s",
		hhmm(t.clock.Now()), hhmm(reloaded.UpdatedAt), hhmm(reloaded.CreatedAt))
	t.say("   read back, the row equals the one in memory (UTC, microseconds): %v",
		reloaded.CreatedAt.Equal(t.ada.CreatedAt) && reloaded.CreatedAt.Location() == time.UTC)

	t.clock.Advance(time.Minute)
	t.grace = Author{Name: "Grace Hopper", Email: "grace@example.com"}
	if err := txctx.DB(ctx).Create(&t.grace).Error; err != nil {
		return fmt.Errorf("creating an author: %w", err)
	}
	t.say("   created author %q at %s; UUIDv7 keys sort by creation time: %v",
		t.grace.Name, hhmm(t.grace.CreatedAt), bytes.Compare(t.ada.ID[:], t.grace.ID[:]) < 0)
	return nil
}

// validation shows a row refused by its validate tags before any SQL is
// sent.
func (t *tour) validation(ctx context.Context) error {
	t.section("Validation: a bad row never reaches the database")
	bad := Article{AuthorID: t.ada.ID, Title: "", Status: "archived"}
	err := txctx.DB(ctx).Create(&bad).Error
	var failures validator.ValidationErrors
	if !errors.As(err, &failures) {
		return fmt.Errorf("creating an invalid article: want validation errors, got %v", err)
	}
	fields := make([]string, len(failures))
	for i, f := range failures {
		fields[i] = f.Field() + " (" + f.Tag() + ")"
	}
	t.say("   create refused; failing fields: %s", strings.Join(fields, ", "))
	var n int64
	if err := txctx.DB(ctx).Model(&Article{}).Count(&n).Error; err != nil {
		return fmt.Errorf("counting articles: %w", err)
	}
	t.say("   articles in the table: %d", n)
	return nil
}

// immutability shows an audit entry that can be created but not changed.
func (t *tour) immutability(ctx context.Context) error {
	t.section("Immutable entities: an audit log")
	t.clock.Advance(time.Minute)
	entry := AuditEntry{Action: "tour started"}
	if err := txctx.DB(ctx).Create(&entry).Error; err != nil {
		return fmt.Errorf("writing an audit entry: %w", err)
	}
	t.say("   wrote audit entry %q at %s", entry.Action, hhmm(entry.CreatedAt))
	err := txctx.DB(ctx).Model(&entry).Update("action", "tour never happened").Error
	t.say("   update refused with entities.ErrImmutable: %v", errors.Is(err, entities.ErrImmutable))
	err = txctx.DB(ctx).Delete(&entry).Error
	t.say("   delete refused with entities.ErrImmutable: %v", errors.Is(err, entities.ErrImmutable))
	return nil
}
