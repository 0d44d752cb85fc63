package main

import (
	"net/http"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/pagination"
)

// semicolonMsg is the message of a parameter whose value holds an
// unencoded ";".
func semicolonMsg(param string) string {
	return param + `: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`
}

// TestMalformedQueryStrings checks that a query string pair url.ParseQuery
// would drop (an unencoded ";", an invalid percent-escape) is a 400 naming
// the parameter on every listing, not a 200 listing every row or sorted by
// the default.
func TestMalformedQueryStrings(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{CursorKey: []byte("a test key of at least thirty-two bytes")})
		seedListing(t, a)
		cases := []struct {
			path    string
			param   string
			rule    string
			message string
		}{
			{"/articles?title_icontains=x;y", "title_icontains", "semicolon", semicolonMsg("title_icontains")},
			{"/articles?sort=title;DROP%20TABLE%20articles", "sort", "semicolon", semicolonMsg("sort")},
			{"/articles?sort=title;DROP+TABLE", "sort", "semicolon", semicolonMsg("sort")},
			{"/articles?page=1;2", "page", "semicolon", semicolonMsg("page")},
			{"/articles?status_in=draft;published", "status_in", "semicolon", semicolonMsg("status_in")},
			{"/articles?;", ";", "semicolon", `parameter name ";" must not contain an unencoded ";" (write it as %3B; parameters are separated by &)`},
			{"/articles?title_icontains=%zz", "title_icontains", "escape", `title_icontains: must use valid percent-escapes (got "%zz"; write a literal % as %25)`},
			{"/articles?title_icontains=100%", "title_icontains", "escape", `title_icontains: must use valid percent-escapes (got "%"; write a literal % as %25)`},
			{"/articles/feed?title_icontains=x;y", "title_icontains", "semicolon", semicolonMsg("title_icontains")},
			{"/articles/feed?limit=1;after=x", "limit", "semicolon", semicolonMsg("limit")},
			{"/articles/feed?sort=title;DROP+TABLE", "sort", "semicolon", semicolonMsg("sort")},
			{"/audit?action=article.created;x", "action", "semicolon", semicolonMsg("action")},
			{"/audit?page_size=%4", "page_size", "escape", `page_size: must use valid percent-escapes (got "%4"; write a literal % as %25)`},
		}
		for _, c := range cases {
			t.Run(c.path, func(t *testing.T) {
				e := a.do("GET", c.path, nil).wantError(t, 400, "invalid_parameter")
				want := ParamProblem{Param: c.param, Rule: c.rule, Message: c.message}
				if e.Param != c.param || e.Rule != c.rule || e.Message != c.message || len(e.Params) != 1 || e.Params[0] != want {
					t.Errorf("got %+v\nwant param %q rule %q message %q", e, c.param, c.rule, c.message)
				}
				if leak := goTerms.FindString(e.Message); leak != "" {
					t.Errorf("message %q speaks of Go: %q", e.Message, leak)
				}
			})
		}
	})
}

// TestEncodedSemicolonIsData checks that %3B is a literal semicolon: it
// filters by it, like any other character.
func TestEncodedSemicolonIsData(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{CursorKey: []byte("a test key of at least thirty-two bytes")})
		ada, _ := seedListing(t, a)
		a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "x;y", Status: "published"})
		for _, path := range []string{"/articles?title_icontains=x%3By", "/articles?title_icontains=X%3bY&sort=title"} {
			var page pagination.Paginated[Article]
			a.do("GET", path, nil).want(t, http.StatusOK, &page)
			if page.Total != 1 || titlesOf(page.Items) != "x;y" {
				t.Errorf("%s: %d articles (%s), want only x;y", path, page.Total, titlesOf(page.Items))
			}
		}
		var feed pagination.CursorPage[Article]
		a.do("GET", "/articles/feed?title_icontains=x%3By", nil).want(t, http.StatusOK, &feed)
		if titlesOf(feed.Items) != "x;y" {
			t.Errorf("feed: %s, want only x;y", titlesOf(feed.Items))
		}
	})
}
