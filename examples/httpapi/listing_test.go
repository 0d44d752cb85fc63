package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/pagination"
)

// seedListing creates two authors and their articles, one request each, and
// returns the authors.
func seedListing(t *testing.T, a *api) (ada, grace Author) {
	t.Helper()
	ada = a.createAuthor("Ada", "ada@example.com")
	grace = a.createAuthor("Grace", "grace@example.com")
	for _, s := range []struct {
		author Author
		title  string
		status string
	}{
		{ada, "Go generics", "published"},
		{grace, "COBOL for GO people", "published"},
		{ada, "Notes on the engine", "draft"},
		{ada, "Testing go code", "draft"},
		{grace, "Scopes compose", "published"},
		{ada, "100% coverage_myths", "published"},
		{ada, "Go vet and you", "published"},
	} {
		a.createArticle(CreateArticleRequest{AuthorID: s.author.ID, Title: s.title, Status: s.status})
	}
	return ada, grace
}

func titlesOf(items []Article) string {
	titles := make([]string, len(items))
	for i, it := range items {
		titles[i] = it.Title
	}
	return strings.Join(titles, " | ")
}

func TestListArticles(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada, _ := seedListing(t, a)
		cases := []struct {
			query      string
			total      int64
			totalPages int
			titles     string
		}{
			{"", 7, 1, "Go vet and you | 100% coverage_myths | Scopes compose | Testing go code | Notes on the engine | COBOL for GO people | Go generics"},
			{"title_icontains=go&sort=title", 4, 1, "COBOL for GO people | Go generics | Go vet and you | Testing go code"},
			{"title_icontains=go&author_id=" + ada.ID.String() + "&sort=-created_at&page=2&page_size=2", 3, 2, "Go generics"},
			{"status_in=draft&sort=title", 2, 1, "Notes on the engine | Testing go code"},
			{"status_in=draft,published&page_size=3&page=3", 7, 3, "Go generics"},
			{"title_icontains=" + url.QueryEscape("100%"), 1, 1, "100% coverage_myths"},
			{"title_icontains=" + url.QueryEscape("e_m"), 1, 1, "100% coverage_myths"},
			{"title_icontains=" + url.QueryEscape("%"), 1, 1, "100% coverage_myths"},
			{"title_icontains=" + url.QueryEscape("_"), 1, 1, "100% coverage_myths"},
			{"title_icontains=" + url.QueryEscape("' OR 1=1 --"), 0, 0, ""},
			{"page=9", 7, 1, ""},
		}
		for _, c := range cases {
			t.Run(c.query, func(t *testing.T) {
				var page pagination.Paginated[Article]
				a.do("GET", "/articles?"+c.query, nil).want(t, http.StatusOK, &page)
				if page.Total != c.total || page.TotalPages != c.totalPages || titlesOf(page.Items) != c.titles {
					t.Errorf("total %d, pages %d, titles %q; want %d, %d, %q",
						page.Total, page.TotalPages, titlesOf(page.Items), c.total, c.totalPages, c.titles)
				}
			})
		}
	})
}

// TestListArticlesRejectsBadParameters checks that every malformed or
// hostile parameter is a 400 naming it, and that the table is unchanged.
func TestListArticlesRejectsBadParameters(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		seedListing(t, a)
		cases := []struct{ query, param string }{
			{"sort=password", "sort"},
			{"sort=" + url.QueryEscape("title; DROP TABLE articles"), "sort"},
			{"sort=" + url.QueryEscape("(select 1)"), "sort"},
			{"page=0", "page"},
			{"page=-1", "page"},
			{"page=abc", "page"},
			{"page=99999999999999999999999", "page"},
			{"page_size=101", "page_size"},
			{"page_size=0x10", "page_size"},
			{"author_id=not-a-uuid", "author_id"},
			{"author_id=" + url.QueryEscape("1 OR 1=1"), "author_id"},
			{"status_in=archived", "status_in"},
			{"title_icontains=" + strings.Repeat("x", 201), "title_icontains"},
			{"title_icontains=" + url.QueryEscape("a\x00b"), "title_icontains"},
			{"title_icontains=%ff%fe", "title_icontains"},
			{"created_from=yesterday", "created_from"},
			{"title=Go", "title"},
			{"after=abc", "after"},
			{"page=1&page=2", "page"},
		}
		for _, c := range cases {
			t.Run(c.query, func(t *testing.T) {
				e := a.do("GET", "/articles?"+c.query, nil).wantError(t, 400, "invalid_parameter")
				if e.Param != c.param || e.Rule == "" || !strings.HasPrefix(e.Message, c.param+": ") && e.Rule != "unknown" {
					t.Errorf("param %q rule %q message %q: want param %q, a rule, and the message about it", e.Param, e.Rule, e.Message, c.param)
				}
				if len(e.Message) > 500 {
					t.Errorf("message is %d bytes long: it echoes the input", len(e.Message))
				}
			})
		}
		if n := a.count(&Article{}); n != 7 {
			t.Errorf("%d articles after the hostile requests, want 7", n)
		}
	})
}

// TestArticleFeed walks the keyset listing page by page and back.
func TestArticleFeed(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{CursorKey: []byte("a test key of at least thirty-two bytes")})
		seedListing(t, a)
		var seen []string
		var pages []pagination.CursorPage[Article]
		query := "/articles/feed?sort=title&limit=3"
		for {
			var page pagination.CursorPage[Article]
			a.do("GET", query, nil).want(t, http.StatusOK, &page)
			pages = append(pages, page)
			seen = append(seen, titlesOf(page.Items))
			if !page.HasNext {
				break
			}
			query = "/articles/feed?sort=title&limit=3&after=" + url.QueryEscape(page.NextCursor)
		}
		want := "100% coverage_myths | COBOL for GO people | Go generics || Go vet and you | Notes on the engine | Scopes compose || Testing go code"
		if got := strings.Join(seen, " || "); got != want {
			t.Fatalf("pages %q, want %q", got, want)
		}
		var back pagination.CursorPage[Article]
		last := pages[len(pages)-1]
		a.do("GET", "/articles/feed?sort=title&limit=3&before="+url.QueryEscape(last.PrevCursor), nil).want(t, http.StatusOK, &back)
		if titlesOf(back.Items) != titlesOf(pages[1].Items) {
			t.Errorf("page before the last: %q, want %q", titlesOf(back.Items), titlesOf(pages[1].Items))
		}

		tampered := pages[0].NextCursor[:len(pages[0].NextCursor)-2] + "AA"
		for _, c := range []struct{ query, param, rule string }{
			{"after=" + url.QueryEscape(tampered), "after", "cursor"},
			{"after=garbage", "after", "cursor"},
			{"after=" + url.QueryEscape(pages[0].NextCursor) + "&before=" + url.QueryEscape(pages[0].NextCursor), "before", "excluded_with"},
			{"sort=-title&after=" + url.QueryEscape(pages[0].NextCursor), "after", "cursor"}, // a cursor of another sort
			{"limit=1000", "limit", "max"},
			{"page=2", "page", "unknown"},
		} {
			e := a.do("GET", "/articles/feed?"+c.query, nil).wantError(t, 400, "invalid_parameter")
			if e.Param != c.param || e.Rule != c.rule {
				t.Errorf("%.60s: param %q rule %q, want %q %q", c.query, e.Param, e.Rule, c.param, c.rule)
			}
		}
	})
}

func TestListAudit(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "Notes"})
		a.do("PATCH", "/articles/"+art.ID.String(), UpdateArticleRequest{Version: 1, Title: ptr("More notes")}).want(t, http.StatusOK, nil)

		var page pagination.Paginated[AuditEntry]
		a.do("GET", "/audit", nil).want(t, http.StatusOK, &page)
		var actions []string
		for _, e := range page.Items {
			actions = append(actions, e.Action)
		}
		if fmt.Sprint(actions) != "[article.updated article.created author.created]" || page.Total != 3 {
			t.Errorf("audit %v (total %d), want newest first: article.updated, article.created, author.created", actions, page.Total)
		}
		a.do("GET", "/audit?entity_id="+art.ID.String()+"&action=article.created", nil).want(t, http.StatusOK, &page)
		if page.Total != 1 || page.Items[0].EntityID != art.ID {
			t.Errorf("filtered audit: %+v, want the article.created entry", page)
		}
		if e := a.do("GET", "/audit?sort=action", nil).wantError(t, 400, "invalid_parameter"); e.Param != "sort" || e.Rule != "unknown" {
			t.Errorf("sort=action: param %q rule %q, want sort unknown (the audit takes no sort)", e.Param, e.Rule)
		}
	})
}
