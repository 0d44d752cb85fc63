package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
	"github.com/gormext/gormext/txctx"
)

// sortable lists the fields a client may sort articles by.
var sortable = []string{"created_at", "title"}

// seedArticles writes the articles the listing step filters, one a minute.
func (t *tour) seedArticles(ctx context.Context) error {
	seed := []struct {
		author *Author
		title  string
		status string
	}{
		{&t.ada, "Go generics in practice", "published"},
		{&t.grace, "COBOL for Go programmers", "published"},
		{&t.ada, "Notes on the engine", "published"},
		{&t.ada, "Testing Go against real databases", "draft"},
		{&t.grace, "Why GORM scopes compose", "published"},
		{&t.ada, "go vet, staticcheck and you", "published"},
	}
	for _, s := range seed {
		t.clock.Advance(time.Minute)
		a := Article{AuthorID: s.author.ID, Title: s.title, Status: s.status}
		if err := txctx.DB(ctx).Create(&a).Error; err != nil {
			return fmt.Errorf("creating article %q: %w", s.title, err)
		}
	}
	t.say("   wrote %d articles, one a minute from %s", len(seed), hhmm(t.clock.Now().Add(-time.Duration(len(seed)-1)*time.Minute)))
	return nil
}

// listing filters, sorts and paginates the articles.
func (t *tour) listing(ctx context.Context) error {
	t.section("Filters, sorting and pages")
	if err := t.seedArticles(ctx); err != nil {
		return err
	}
	filter := ArticleFilter{TitleContains: "GO", Status: []string{"published"}}
	t.say(`   filter: title contains "GO" (any case), status in [published]; sort: -created_at; 2 per page`)
	for page := 1; page <= 2; page++ {
		if err := t.printPage(ctx, filter, page); err != nil {
			return err
		}
	}
	if err := t.printFeed(ctx, filter); err != nil {
		return err
	}
	var rejected []Article
	err := txctx.DB(ctx).Scopes(scopes.Sort("password", sortable...)).Find(&rejected).Error
	t.say("   sort by \"password\" refused with scopes.ErrInvalidFilter: %v", errors.Is(err, scopes.ErrInvalidFilter))
	return nil
}

// printPage prints one page of the filtered listing.
func (t *tour) printPage(ctx context.Context, filter ArticleFilter, page int) error {
	query := txctx.DB(ctx).Model(&Article{}).Scopes(scopes.Filter(filter), scopes.Sort("-created_at", sortable...))
	result, err := pagination.Paginate[Article](query, pagination.PaginatedFilter{Page: page, PageSize: 2})
	if err != nil {
		return fmt.Errorf("listing page %d: %w", page, err)
	}
	titles := make([]string, len(result.Items))
	for i, a := range result.Items {
		titles[i] = a.Title
	}
	t.say("   page %d of %d (%d matching): %s", result.Page, result.TotalPages, result.Total, quoteAll(titles))
	if page == 1 {
		// The JSON an API would send, with the titles standing in for the items.
		asJSON, err := json.Marshal(pagination.Paginated[string]{Items: titles, Total: result.Total,
			Page: result.Page, PageSize: result.PageSize, TotalPages: result.TotalPages})
		if err != nil {
			return err
		}
		t.say("   as JSON: %s", asJSON)
	}
	return nil
}

// feed is the keyset listing of articles: configured once, used per request.
var feed = scopes.QueryOperations[Article, ArticleFeed]{
	SortFields:  sortable,
	DefaultSort: "-created_at",
	CursorKey:   []byte("the quickstart's cursor key: use 32 random bytes in a real service"),
}

// printFeed walks the same listing with keyset pages, as an infinite scroll
// would.
func (t *tour) printFeed(ctx context.Context, filter ArticleFilter) error {
	req := ArticleFeed{ArticleFilter: filter, CursorFilter: pagination.CursorFilter{Limit: 3}}
	for n := 1; ; n++ {
		page, err := feed.PaginateCursor(ctx, req)
		if err != nil {
			return fmt.Errorf("reading the feed: %w", err)
		}
		titles := make([]string, len(page.Items))
		for i, a := range page.Items {
			titles[i] = a.Title
		}
		t.say("   keyset page %d (3 at most, more after it: %v): %s", n, page.HasNext, quoteAll(titles))
		if !page.HasNext {
			return nil
		}
		req.After = page.NextCursor // opaque and signed: clients cannot forge one
	}
}
