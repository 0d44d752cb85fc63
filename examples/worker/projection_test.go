package main

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
)

// eventMessage is the message the httpapi example stores for an event.
func eventMessage(t *testing.T, typ string, author uuid.UUID) outbox.Message {
	t.Helper()
	ev := Event{Type: typ, EntityID: uuid.New(), AuthorID: author}
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return outbox.Message{ID: uuid.NewString(), Topic: typ, Key: ev.EntityID.String(), Payload: payload}
}

// wantArticles fails unless the projection is want, and the inbox holds
// inbox records.
func wantArticles(t *testing.T, db *gorm.DB, want map[uuid.UUID]int64, inbox int64) {
	t.Helper()
	got, err := Articles(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("projection %v, want %v", got, want)
	}
	for author, n := range want {
		if got[author] != n {
			t.Errorf("author %s has %d articles in the projection, want %d (all: %v)", author, got[author], n, got)
		}
	}
	var handled int64
	if err := db.Raw("SELECT count(*) FROM " + InboxTable).Scan(&handled).Error; err != nil {
		t.Fatal(err)
	}
	if handled != inbox {
		t.Errorf("%d events in the inbox, want %d", handled, inbox)
	}
}

// The handler counts articles per author, once per event however often it
// is delivered, ignores the other events and skips unreadable ones.
func TestHandlerProjectsEachEventOnce(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := Migrate(ctx, db); err != nil {
			t.Fatalf("Migrate a second time: %v", err)
		}
		h := Handler(db, quiet)
		ada, bob := uuid.New(), uuid.New()
		first := eventMessage(t, articleCreated, ada)
		msgs := []outbox.Message{
			first,
			eventMessage(t, articleCreated, ada),
			eventMessage(t, articleCreated, bob),
			eventMessage(t, "author.created", ada),
			eventMessage(t, articleDeleted, ada),
			first, // delivered again
			{ID: uuid.NewString(), Topic: articleCreated, Payload: []byte(`{"type": "article.created", "author_id": 12`)},
			{ID: uuid.NewString(), Topic: articleCreated, Payload: []byte(`{"type": "article.created"}`)},
		}
		for _, m := range msgs {
			if err := h(ctx, m); err != nil {
				t.Fatalf("handling %s %s: %v", m.Topic, m.ID, err)
			}
		}
		wantArticles(t, db, map[uuid.UUID]int64{ada: 1, bob: 1}, int64(len(msgs)-1))
		if err := h(ctx, outbox.Message{Topic: articleCreated}); !errors.Is(err, outbox.ErrNoMessageID) {
			t.Error("a message without an ID was handled; want outbox.ErrNoMessageID")
		}
	})
}
