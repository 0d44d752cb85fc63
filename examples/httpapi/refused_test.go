package main

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TestRefusedUpdateAudited checks that a PATCH refused for a stale version
// is recorded as one "article.update_refused" entry, committed although the
// request rolled back (txctx.RunNew from txctx.AfterRollback), with its
// after-commit event; and that other refused PATCHes (not found, invalid)
// record nothing.
func TestRefusedUpdateAudited(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		var mu sync.Mutex
		events := map[string]int{}
		a := newAPI(t, db, Config{AfterCommit: func(_ context.Context, e AuditEntry) {
			mu.Lock()
			defer mu.Unlock()
			events[e.Action]++
		}})
		ada := a.createAuthor("Ada", "ada@example.com")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "Notes"})
		path := "/articles/" + art.ID.String()
		a.do("PATCH", path, UpdateArticleRequest{Version: 1, Title: ptr("Notes, 2")}).want(t, http.StatusOK, nil)
		a.do("PATCH", path, UpdateArticleRequest{Version: 1, Title: ptr("Lost")}).wantError(t, http.StatusConflict, "stale_version")
		a.do("PATCH", path, UpdateArticleRequest{Version: 7, Title: ptr("Lost")}).wantError(t, http.StatusConflict, "stale_version")
		a.do("PATCH", "/articles/"+uuid.NewString(), UpdateArticleRequest{Version: 1, Title: ptr("None")}).wantError(t, http.StatusNotFound, "not_found")
		a.do("PATCH", path, UpdateArticleRequest{Version: 2, Title: ptr("")}).wantError(t, http.StatusUnprocessableEntity, "validation_failed")
		a.srv.Close() // waits for the requests, and so for their callbacks

		wantAudit(t, a, "author.created", "article.created", "article.updated", "article.update_refused", "article.update_refused")
		var refused []AuditEntry
		if err := db.Order("created_at, id").Find(&refused, "action = ?", "article.update_refused").Error; err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{"stale version 1", "stale version 7"} {
			if i >= len(refused) || refused[i].EntityID != art.ID || refused[i].Detail != want {
				t.Errorf("refused entries %+v: want %q for %s", refused, want, art.ID)
			}
		}
		var now Article
		if err := db.Take(&now, "id = ?", art.ID).Error; err != nil {
			t.Fatal(err)
		}
		if now.Version != 2 || now.Title != "Notes, 2" {
			t.Errorf("article after the refused changes: version %d, title %q; want 2, %q", now.Version, now.Title, "Notes, 2")
		}
		mu.Lock()
		defer mu.Unlock()
		if events["article.update_refused"] != 2 || events["article.updated"] != 1 {
			t.Errorf("after-commit events %v: want 2 article.update_refused, 1 article.updated", events)
		}
	})
}
