package main

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// writers is how many clients race in the concurrency tests.
const writers = 8

// race sends the same request from writers goroutines at once and returns
// how many responses had each status.
func race(a *api, method, path string, body func(i int) any) map[int]int {
	statuses := make(chan int, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			statuses <- a.do(method, path, body(i)).status
		})
	}
	close(start)
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	return counts
}

// TestConcurrentEditsOfOneVersion has several clients change the same
// version of an article at once: exactly one wins, every other one is told
// its version is stale, and the audit log records one change and one
// refused change per 409.
func TestConcurrentEditsOfOneVersion(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "Draft"})
		path := "/articles/" + art.ID.String()

		counts := race(a, "PATCH", path, func(i int) any {
			return UpdateArticleRequest{Version: 1, Title: ptr(fmt.Sprintf("Edit %d", i))}
		})
		if counts[http.StatusOK] != 1 || counts[http.StatusConflict] != writers-1 {
			t.Fatalf("statuses %v; want one 200 and %d 409", counts, writers-1)
		}
		var got Article
		a.do("GET", path, nil).want(t, http.StatusOK, &got)
		if got.Version != 2 {
			t.Errorf("version %d after one successful edit, want 2", got.Version)
		}
		a.srv.Close() // waits for the requests, and so for their callbacks
		want := []string{"author.created", "article.created", "article.updated"}
		for range writers - 1 {
			want = append(want, "article.update_refused") // one per 409, written after its rollback
		}
		wantAudit(t, a, want...)
	})
}

// TestConcurrentSignupsWithOneEmail has several clients create an author
// with the same e-mail at once: one 201, the others 409, one row.
func TestConcurrentSignupsWithOneEmail(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		counts := race(a, "POST", "/authors", func(i int) any {
			return CreateAuthorRequest{Name: fmt.Sprintf("Ada %d", i), Email: "ada@example.com"}
		})
		if counts[http.StatusCreated] != 1 || counts[http.StatusConflict] != writers-1 {
			t.Fatalf("statuses %v; want one 201 and %d 409", counts, writers-1)
		}
		if n := a.count(&Author{}); n != 1 {
			t.Errorf("%d authors, want 1", n)
		}
		wantAudit(t, a, "author.created")
	})
}
