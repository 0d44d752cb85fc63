package scopes_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
	"github.com/gormext/gormext/txctx"
)

// Article is the model of the examples.
type Article struct {
	ID        int64 `gorm:"primaryKey"`
	Title     string
	Status    string
	Views     int
	CreatedAt time.Time
}

// ArticleFilter is what clients may ask of the article listing.
type ArticleFilter struct {
	TitleIContains *string  `form:"title_icontains" filter:"title,icontains" validate:"omitempty,max=100"`
	ViewsGte       *int     `form:"views_gte" filter:"views,gte" validate:"omitempty,gte=0"`
	StatusIn       []string `form:"status_in" filter:"status,in"`
	scopes.Sorting
	pagination.PaginatedFilter
	pagination.CursorFilter
}

func exampleDB() *gorm.DB {
	db, err := database.Open(context.Background(), database.Config{URL: "sqlite::memory:"})
	if err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(&Article{}); err != nil {
		panic(err)
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, title := range []string{"Go generics", "GORM scopes", "Keyset pagination", "100% literal_match", "Draft"} {
		status := "published"
		if title == "Draft" {
			status = "draft"
		}
		a := Article{Title: title, Status: status, Views: 10 * (i + 1), CreatedAt: day.AddDate(0, 0, i)}
		if err := db.Create(&a).Error; err != nil {
			panic(err)
		}
	}
	return db
}

func ExampleQueryOperations_Paginate() {
	db := exampleDB()
	defer closeDB(db)
	ctx := txctx.WithDB(context.Background(), db)
	ops := scopes.QueryOperations[Article, ArticleFilter]{
		SortFields:  []string{"title", "views", "created_at"},
		DefaultSort: "-created_at",
	}

	query, _ := url.ParseQuery("status_in=published,archived&views_gte=20&sort=-views&page=1&page_size=2")
	var f ArticleFilter
	if err := scopes.Decode(query, &f); err != nil {
		fmt.Println(err) // a 400 response
		return
	}
	page, err := ops.Paginate(ctx, f)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range page.Items {
		fmt.Println(a.Title, a.Views)
	}
	fmt.Printf("total %d, page %d of %d\n", page.Total, page.Page, page.TotalPages)
	// Output:
	// 100% literal_match 40
	// Keyset pagination 30
	// total 3, page 1 of 2
}

func ExampleQueryOperations_PaginateCursor() {
	db := exampleDB()
	defer closeDB(db)
	ctx := txctx.WithDB(context.Background(), db)
	ops := scopes.QueryOperations[Article, ArticleFilter]{
		SortFields: []string{"created_at"},
		CursorKey:  []byte("load me from the environment: 32+ bytes"),
	}
	f := ArticleFilter{Sorting: scopes.Sorting{Sort: "-created_at"}}
	f.Limit = 2
	for {
		page, err := ops.PaginateCursor(ctx, f)
		if err != nil {
			fmt.Println(err)
			return
		}
		titles := make([]string, len(page.Items))
		for i, a := range page.Items {
			titles[i] = a.Title
		}
		fmt.Println(strings.Join(titles, "; "))
		if !page.HasNext {
			break
		}
		f.After = page.NextCursor
	}
	// Output:
	// Draft; 100% literal_match
	// Keyset pagination; GORM scopes
	// Go generics
}

func ExampleDecode() {
	var f ArticleFilter
	for _, raw := range []string{
		"title_icontains=go&status_in=a,b",
		"title=x",
		"views_gte=-1",
		"page=0",
	} {
		query, _ := url.ParseQuery(raw)
		err := scopes.Decode(query, &f)
		fmt.Printf("%-33s filter error: %-5v page error: %v\n", raw, errors.Is(err, scopes.ErrInvalidFilter), errors.Is(err, pagination.ErrInvalidPage))
	}
	fmt.Println(*f.TitleIContains, f.StatusIn)
	// Output:
	// title_icontains=go&status_in=a,b  filter error: false page error: false
	// title=x                           filter error: true  page error: false
	// views_gte=-1                      filter error: true  page error: false
	// page=0                            filter error: false page error: true
	// go [a b]
}

func ExampleFilter() {
	db := exampleDB()
	defer closeDB(db)
	var found []Article
	f := ArticleFilter{TitleIContains: ptr("100%")}
	db.Scopes(scopes.Filter(f)).Find(&found)
	for _, a := range found {
		fmt.Println(a.Title)
	}
	sql := db.ToSQL(func(tx *gorm.DB) *gorm.DB {
		return tx.Scopes(scopes.Filter(f), scopes.Sort("-views", "views")).Find(&[]Article{})
	})
	fmt.Println(sql) // views may be NULL: NULLs go last; the primary key breaks ties
	// Output:
	// 100% literal_match
	// SELECT * FROM `articles` WHERE LOWER(`articles`.`title`) LIKE LOWER("%100\%%") ESCAPE '\' ORDER BY `articles`.`views` DESC NULLS LAST, `articles`.`id` DESC
}

func ExampleSort() {
	db := exampleDB()
	defer closeDB(db)
	var found []Article
	err := db.Scopes(scopes.Sort("passwd", "title", "created_at")).Find(&found).Error
	fmt.Println(err)
	var pe *scopes.ParamError // a client's spec: the parameter "sort"
	if errors.As(err, &pe) {
		fmt.Println(pe.Param, pe.Rule)
	}
	// Output:
	// scopes: sort: unknown field "passwd" (allowed: title, created_at)
	// sort unknown_field
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
