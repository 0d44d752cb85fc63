package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

func ptr[T any](v T) *T { return &v }

func TestArticleLifecycle(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "Notes", Body: "On the engine"})
		if art.Version != 1 || art.Status != "draft" || art.AuthorID != ada.ID {
			t.Fatalf("created %+v: want version 1, status draft, the author's id", art)
		}
		path := "/articles/" + art.ID.String()

		var got Article
		a.do("GET", path, nil).want(t, http.StatusOK, &got)
		if got != art {
			t.Errorf("GET returned %+v, want %+v", got, art)
		}

		var updated Article
		a.do("PATCH", path, UpdateArticleRequest{Version: 1, Status: ptr("published")}).want(t, http.StatusOK, &updated)
		if updated.Version != 2 || updated.Status != "published" || updated.Title != "Notes" || updated.CreatedAt != art.CreatedAt {
			t.Errorf("after PATCH: %+v; want version 2, published, title and created_at kept", updated)
		}

		a.do("DELETE", path, nil).want(t, http.StatusNoContent, nil)
		a.do("GET", path, nil).wantError(t, 404, "not_found")
		a.do("DELETE", path, nil).wantError(t, 404, "not_found")

		wantAudit(t, a, "author.created", "article.created", "article.updated", "article.deleted")
	})
}

func TestArticleErrors(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "Notes"})
		path := "/articles/" + art.ID.String()
		missing := "/articles/" + uuid.NewString()

		create := []struct {
			name   string
			body   any
			fields []string
		}{
			{"no title", CreateArticleRequest{AuthorID: ada.ID}, []string{"title"}},
			{"title too long", CreateArticleRequest{AuthorID: ada.ID, Title: strings.Repeat("t", 201)}, []string{"title"}},
			{"unknown status", CreateArticleRequest{AuthorID: ada.ID, Title: "T", Status: "archived"}, []string{"status"}},
			{"unknown author", CreateArticleRequest{AuthorID: uuid.New(), Title: "T"}, []string{"author_id"}},
			{"no author", CreateArticleRequest{Title: "T"}, []string{"author_id"}},
		}
		for _, c := range create {
			t.Run("POST "+c.name, func(t *testing.T) {
				wantFields(t, a.do("POST", "/articles", c.body).wantError(t, 422, "validation_failed"), c.fields...)
			})
		}
		a.do("POST", "/articles", `{"author_id": "not-a-uuid", "title": "T"}`).wantError(t, 400, "invalid_body")

		patch := []struct {
			name   string
			path   string
			body   any
			status int
			code   string
		}{
			{"stale version", path, UpdateArticleRequest{Version: 7, Title: ptr("New")}, 409, "stale_version"},
			{"no version", path, UpdateArticleRequest{Title: ptr("New")}, 422, "validation_failed"},
			{"nothing to change", path, UpdateArticleRequest{Version: 1}, 422, "validation_failed"},
			{"empty title", path, UpdateArticleRequest{Version: 1, Title: ptr("")}, 422, "validation_failed"},
			{"bad status", path, UpdateArticleRequest{Version: 1, Status: ptr("gone")}, 422, "validation_failed"},
			{"missing article", missing, UpdateArticleRequest{Version: 1, Title: ptr("New")}, 404, "not_found"},
			{"bad id", "/articles/x", UpdateArticleRequest{Version: 1, Title: ptr("New")}, 400, "invalid_parameter"},
			{"unknown field", path, `{"version": 1, "version_id": 2}`, 400, "invalid_body"},
		}
		for _, c := range patch {
			t.Run("PATCH "+c.name, func(t *testing.T) { a.do("PATCH", c.path, c.body).wantError(t, c.status, c.code) })
		}

		var got Article
		a.do("GET", path, nil).want(t, http.StatusOK, &got)
		if got != art {
			t.Errorf("after the failed requests the article is %+v, want it unchanged: %+v", got, art)
		}
		if n := a.count(&Article{}); n != 1 {
			t.Errorf("%d articles, want 1", n)
		}
		a.srv.Close() // waits for the requests, and so for their callbacks
		// Only the stale version is recorded as refused (txctx.RunNew after
		// the rollback); the other failures leave no trace.
		wantAudit(t, a, "author.created", "article.created", "article.update_refused")
	})
}

func TestRoutesAnswerInOneShape(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		a.do("GET", "/nope", nil).wantError(t, 404, "not_found")
		a.do("GET", "/", nil).wantError(t, 404, "not_found")
		res := a.do("PUT", "/articles/"+uuid.NewString(), `{}`)
		res.wantError(t, 405, "method_not_allowed")
		if allow := res.header.Get("Allow"); allow != "DELETE, GET, HEAD, PATCH" {
			t.Errorf("Allow %q, want %q", allow, "DELETE, GET, HEAD, PATCH")
		}
		a.do("DELETE", "/audit", nil).wantError(t, 405, "method_not_allowed")
	})
}

// wantAudit fails unless the audit log holds exactly these actions, oldest
// first.
func wantAudit(t *testing.T, a *api, actions ...string) {
	t.Helper()
	var log []AuditEntry
	if err := a.db.Order("created_at, id").Find(&log).Error; err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(log))
	for i, e := range log {
		got[i] = e.Action
	}
	if fmt.Sprint(got) != fmt.Sprint(actions) {
		t.Errorf("audit log %v, want %v", got, actions)
	}
}
