package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
)

// storedEvent is one row of the outbox table, read with plain SQL.
type storedEvent struct {
	Topic, Key string
	Payload    []byte
}

// outboxRows returns the messages waiting in the outbox, oldest first.
func outboxRows(t *testing.T, db *gorm.DB) []storedEvent {
	t.Helper()
	var rows []storedEvent
	if err := db.Raw("SELECT topic, key, payload FROM outbox_messages ORDER BY seq").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// wantEvents fails unless the outbox holds exactly these topics, in order,
// and returns their payloads.
func wantEvents(t *testing.T, db *gorm.DB, topics ...string) []Event {
	t.Helper()
	rows := outboxRows(t, db)
	got := make([]string, len(rows))
	events := make([]Event, len(rows))
	for i, r := range rows {
		got[i] = r.Topic
		if err := json.Unmarshal(r.Payload, &events[i]); err != nil {
			t.Fatalf("payload of %s: %v", r.Topic, err)
		}
		if events[i].Type != r.Topic || r.Key != events[i].EntityID.String() || events[i].OccurredAt.IsZero() {
			t.Errorf("message %s with key %s carries %+v; want its topic, its entity as key and a time", r.Topic, r.Key, events[i])
		}
	}
	if strings.Join(got, " ") != strings.Join(topics, " ") {
		t.Fatalf("outbox holds %v, want %v", got, topics)
	}
	return events
}

// Each committed write stores exactly one event in its transaction, with
// the entity and its author.
func TestWritesStoreOneEventEach(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		wantEvents(t, db, EventAuthorCreated)
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "Notes"})
		wantEvents(t, db, EventAuthorCreated, EventArticleCreated)
		path := "/articles/" + art.ID.String()
		a.do("PATCH", path, UpdateArticleRequest{Version: 1, Status: ptr("published")}).want(t, http.StatusOK, nil)
		wantEvents(t, db, EventAuthorCreated, EventArticleCreated, EventArticleUpdated)
		a.do("DELETE", path, nil).want(t, http.StatusNoContent, nil)
		events := wantEvents(t, db, EventAuthorCreated, EventArticleCreated, EventArticleUpdated, EventArticleDeleted)

		if e := events[0]; e.EntityID != ada.ID || e.AuthorID != ada.ID {
			t.Errorf("author.created %+v, want the author as entity and author", e)
		}
		for _, e := range events[1:] {
			if e.EntityID != art.ID || e.AuthorID != ada.ID {
				t.Errorf("%s %+v, want the article %s by %s", e.Type, e, art.ID, ada.ID)
			}
		}
		if e := events[2]; e.Status != "published" || e.Title != "Notes" {
			t.Errorf("article.updated %+v, want the article as the change left it", e)
		}
	})
}

// A write that fails rolls its event back with it: the outbox holds none.
func TestFailedWritesStoreNoEvent(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "Notes"})
		before := len(outboxRows(t, db))

		a.do("POST", "/authors", CreateAuthorRequest{Name: "Ada again", Email: "ada@example.com"}).wantError(t, http.StatusConflict, "conflict")
		a.do("POST", "/articles", CreateArticleRequest{AuthorID: ada.ID}).wantError(t, http.StatusUnprocessableEntity, "validation_failed")
		a.do("POST", "/articles", CreateArticleRequest{AuthorID: art.ID, Title: "No such author"}).wantError(t, http.StatusUnprocessableEntity, "validation_failed")
		a.do("PATCH", "/articles/"+art.ID.String(), UpdateArticleRequest{Version: 7, Title: ptr("Stale")}).wantError(t, http.StatusConflict, "stale_version")
		a.do("DELETE", "/articles/"+ada.ID.String(), nil).wantError(t, http.StatusNotFound, "not_found")
		a.srv.Close() // waits for the requests and their after-rollback work

		if rows := outboxRows(t, db); len(rows) != before {
			t.Fatalf("outbox holds %d messages after the failed requests, want %d: %+v", len(rows), before, rows)
		}
	})
}

// Without AMQP_URL the service's relay publishes the outbox to its log:
// one "event" line per committed event, and the table is emptied.
func TestRelayLogsTheEvents(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		var buf bytes.Buffer
		relay := outbox.NewRelay(db, logPublisher{log: slog.New(slog.NewJSONHandler(&buf, nil))})
		n, err := relay.RunOnce(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v; want the one event", n, err)
		}
		var line struct{ Msg, Topic, Key, Payload string }
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("log %q: %v", buf.String(), err)
		}
		if line.Msg != "event" || line.Topic != EventAuthorCreated || line.Key != ada.ID.String() || !strings.Contains(line.Payload, ada.ID.String()) {
			t.Errorf("logged %+v, want the author.created event of %s", line, ada.ID)
		}
		if rows := outboxRows(t, db); len(rows) != 0 {
			t.Errorf("%d messages left in the outbox after the relay published them", len(rows))
		}
	})
}

// lineWriter hands each log line to a channel.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}

// The service runs its own relay, to the log, only without AMQP_URL; with
// it the events wait in the outbox for examples/worker's relay.
func TestStartRelay(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		lines := make(lineWriter, 10)
		log := slog.New(slog.NewJSONHandler(lines, nil))

		t.Setenv(amqpEnv, "amqp://guest:guest@127.0.0.1:5672/")
		<-startRelay(context.Background(), db, log) // runs none: closed at once
		if line := <-lines; !strings.Contains(line, "worker relay") {
			t.Errorf("logged %q, want a word on who publishes the events", line)
		}
		if rows := outboxRows(t, db); len(rows) != 1 {
			t.Fatalf("%d messages in the outbox with AMQP_URL set, want the one left for the worker", len(rows))
		}

		t.Setenv(amqpEnv, "")
		ctx, cancel := context.WithCancel(context.Background())
		done := startRelay(ctx, db, log)
		select {
		case line := <-lines:
			if !strings.Contains(line, `"msg":"event"`) || !strings.Contains(line, ada.ID.String()) {
				t.Errorf("logged %q, want the author.created event of %s", line, ada.ID)
			}
		case <-time.After(20 * time.Second):
			t.Error("the relay logged no event")
		}
		cancel()
		<-done
	})
}
