package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// Event is the payload of the httpapi example's domain events, copied as a
// consumer in another service would: the fields the worker reads.
type Event struct {
	Type       string    `json:"type"`
	EntityID   uuid.UUID `json:"entity_id"`
	AuthorID   uuid.UUID `json:"author_id"`
	OccurredAt time.Time `json:"occurred_at"`
}

// The event types that change the projection; the others are acknowledged
// and ignored.
const (
	articleCreated = "article.created"
	articleDeleted = "article.deleted"
)

// ProjectionTable holds the projection: how many articles each author has.
const ProjectionTable = "worker_author_articles"

// Migrate creates the worker's tables when they do not exist: the
// projection and the inbox (the inbox of outbox.Schema, under InboxTable).
// They may live in the httpapi example's database or in another one.
func Migrate(ctx context.Context, db *gorm.DB) error {
	for _, stmt := range []string{
		"CREATE TABLE IF NOT EXISTS " + ProjectionTable + " (author_id text PRIMARY KEY, articles bigint NOT NULL)",
		"CREATE TABLE IF NOT EXISTS " + InboxTable + " (id text PRIMARY KEY, handled_at bigint NOT NULL)",
	} {
		if err := db.WithContext(ctx).Exec(stmt).Error; err != nil {
			return fmt.Errorf("worker: creating tables: %w", err)
		}
	}
	return nil
}

// Handler is the consumer's handler: each event is handled in a
// transaction on db with the inbox (outbox.Idempotent), so an event
// delivered twice changes the projection once. An event whose payload is
// not an Event is logged and acknowledged: delivering it again would not
// make it readable.
func Handler(db *gorm.DB, log *slog.Logger) outbox.Handler {
	return outbox.Idempotent(db, func(ctx context.Context, msg outbox.Message) error {
		var ev Event
		if err := json.Unmarshal(msg.Payload, &ev); err != nil || ev.AuthorID == uuid.Nil {
			log.WarnContext(ctx, "skipping an unreadable event", "id", msg.ID, "topic", msg.Topic, "error", err)
			return nil
		}
		return project(ctx, ev)
	}, outbox.WithInboxTable(InboxTable))
}

// project applies ev to the projection, in the handler's transaction.
func project(ctx context.Context, ev Event) error {
	delta := 0
	switch ev.Type {
	case articleCreated:
		delta = 1
	case articleDeleted:
		delta = -1
	default:
		return nil
	}
	err := txctx.DB(ctx).Exec("INSERT INTO "+ProjectionTable+" (author_id, articles) VALUES (?, ?) "+
		"ON CONFLICT (author_id) DO UPDATE SET articles = "+ProjectionTable+".articles + excluded.articles",
		ev.AuthorID.String(), delta).Error
	if err != nil {
		return fmt.Errorf("worker: updating the projection for %s: %w", ev.Type, err)
	}
	return nil
}

// Articles returns the projection: articles per author.
func Articles(ctx context.Context, db *gorm.DB) (map[uuid.UUID]int64, error) {
	var rows []struct {
		AuthorID string
		Articles int64
	}
	if err := db.WithContext(ctx).Raw("SELECT author_id, articles FROM " + ProjectionTable).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]int64, len(rows))
	for _, r := range rows {
		id, err := uuid.Parse(r.AuthorID)
		if err != nil {
			return nil, fmt.Errorf("worker: author_id %q in %s: %w", r.AuthorID, ProjectionTable, err)
		}
		out[id] = r.Articles
	}
	return out, nil
}
