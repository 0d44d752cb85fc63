package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/gormext/gormext/outbox"
)

// The domain events the service publishes, as the outbox messages' topics
// (AMQP routing keys).
const (
	EventAuthorCreated  = "author.created"
	EventArticleCreated = "article.created"
	EventArticleUpdated = "article.updated"
	EventArticleDeleted = "article.deleted"
)

// Event is the JSON payload of a domain event. Consumers in other services
// copy this shape; examples/worker does.
type Event struct {
	// Type is the event's topic, one of the Event* constants.
	Type string `json:"type"`
	// EntityID is the author or article the event is about.
	EntityID uuid.UUID `json:"entity_id"`
	// AuthorID is the author: the article's for article events, the
	// author itself for author.created.
	AuthorID uuid.UUID `json:"author_id"`
	// Title and Status are the article's, as the change left it (empty
	// for author.created and article.deleted).
	Title  string `json:"title,omitempty"`
	Status string `json:"status,omitempty"`
	// OccurredAt is when the change was made (UTC).
	OccurredAt time.Time `json:"occurred_at"`
}

// articleEvent is the event of type typ for article a.
func articleEvent(typ string, a Article) Event {
	return Event{Type: typ, EntityID: a.ID, AuthorID: a.AuthorID, Title: a.Title, Status: a.Status}
}

// emit adds ev to the outbox in the request's transaction (outbox.Add): it
// is stored, and later published by a relay, if and only if the change it
// describes commits. Events of one entity share a key, so they are
// published in the order of their commits.
func emit(ctx context.Context, ev Event) error {
	ev.OccurredAt = time.Now().UTC()
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding the %s event: %w", ev.Type, err)
	}
	msg := outbox.Message{Topic: ev.Type, Key: ev.EntityID.String(), Payload: payload,
		Headers: map[string]string{"content-type": "application/json"}}
	if err := outbox.Add(ctx, msg); err != nil {
		return fmt.Errorf("adding the %s event to the outbox: %w", ev.Type, err)
	}
	return nil
}
