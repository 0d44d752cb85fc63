package main

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// ArticleConditions are the filters of both article listings, named as in
// the query string: ?title_icontains=go&author_id=...&status_in=draft,published.
type ArticleConditions struct {
	TitleIContains string     `form:"title_icontains" filter:"title,icontains" validate:"max=200"`
	AuthorID       *uuid.UUID `form:"author_id" filter:"author_id"`
	StatusIn       []string   `form:"status_in" filter:"status,in" validate:"max=2,dive,oneof=draft published"`
	CreatedFrom    *time.Time `form:"created_from" filter:"created_at,gte"`
	CreatedBefore  *time.Time `form:"created_before" filter:"created_at,lt"`
}

// ArticleFilter is the query of GET /articles: the conditions, a sort
// (?sort=-created_at,title) and an offset page (?page=2&page_size=10).
type ArticleFilter struct {
	ArticleConditions
	scopes.Sorting
	pagination.PaginatedFilter
}

// ArticleFeedFilter is the query of GET /articles/feed: the conditions, a
// sort and a keyset page (?after=<next_cursor>&limit=20).
type ArticleFeedFilter struct {
	ArticleConditions
	scopes.Sorting
	pagination.CursorFilter
}

// AuditFilter is the query of GET /audit.
type AuditFilter struct {
	Action   string     `form:"action" filter:"action" validate:"max=100"`
	EntityID *uuid.UUID `form:"entity_id" filter:"entity_id"`
	pagination.PaginatedFilter
}

// articleSortFields are the columns clients may sort articles by.
var articleSortFields = []string{"created_at", "updated_at", "title", "status"}

// listings holds the configured query operations of the service.
type listings struct {
	articles *scopes.QueryOperations[Article, ArticleFilter]
	feed     *scopes.QueryOperations[Article, ArticleFeedFilter]
	audit    *scopes.QueryOperations[AuditEntry, AuditFilter]
}

func newListings(cursorKey []byte) listings {
	return listings{
		articles: &scopes.QueryOperations[Article, ArticleFilter]{
			SortFields: articleSortFields, DefaultSort: "-created_at", MaxPageSize: 100,
		},
		feed: &scopes.QueryOperations[Article, ArticleFeedFilter]{
			SortFields: articleSortFields, DefaultSort: "-created_at", MaxPageSize: 100, CursorKey: cursorKey,
		},
		audit: &scopes.QueryOperations[AuditEntry, AuditFilter]{
			SortFields: []string{"created_at"}, DefaultSort: "-created_at", MaxPageSize: 100,
		},
	}
}

// listArticles handles GET /articles: a Paginated page of articles.
func (s *server) listArticles(w http.ResponseWriter, r *http.Request) {
	var f ArticleFilter
	if err := scopes.DecodeRequest(r, &f); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.lists.articles.Paginate(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// feedArticles handles GET /articles/feed: a keyset page of articles with
// the cursors of the next and previous pages, for infinite scroll.
func (s *server) feedArticles(w http.ResponseWriter, r *http.Request) {
	var f ArticleFeedFilter
	if err := scopes.DecodeRequest(r, &f); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.lists.feed.PaginateCursor(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// listAudit handles GET /audit: the audit log, newest first.
func (s *server) listAudit(w http.ResponseWriter, r *http.Request) {
	var f AuditFilter
	if err := scopes.DecodeRequest(r, &f); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.lists.audit.Paginate(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}
