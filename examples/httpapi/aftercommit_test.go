package main

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// TestAfterCommitEvents checks Config.AfterCommit: one event per committed
// audit entry, carrying the entry as stored, and none for a request that
// failed.
func TestAfterCommitEvents(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		var mu sync.Mutex
		var got []AuditEntry
		a := newAPI(t, db, Config{AfterCommit: func(_ context.Context, e AuditEntry) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e)
		}})
		ada := a.createAuthor("Ada", "ada@example.com")
		a.do("POST", "/authors", CreateAuthorRequest{Name: "Ada again", Email: "ada@example.com"}).wantError(t, http.StatusConflict, "conflict")
		a.do("POST", "/articles", CreateArticleRequest{AuthorID: ada.ID}).wantError(t, http.StatusUnprocessableEntity, "validation_failed")

		mu.Lock()
		defer mu.Unlock()
		if len(got) != 1 || got[0].Action != "author.created" || got[0].EntityID != ada.ID {
			t.Fatalf("events %+v, want one author.created for %s", got, ada.ID)
		}
		var stored AuditEntry
		if err := db.Take(&stored, "id = ?", got[0].ID).Error; err != nil {
			t.Fatalf("the event's entry %s is not in the audit log: %v", got[0].ID, err)
		}
	})
}
