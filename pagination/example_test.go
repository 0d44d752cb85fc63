package pagination_test

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/pagination"
)

func exampleDB() *gorm.DB {
	db, err := database.Open(context.Background(), database.Config{URL: "sqlite::memory:"})
	if err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(&Author{}); err != nil {
		panic(err)
	}
	for i := int64(1); i <= 5; i++ {
		if err := db.Create(&Author{ID: i, Name: fmt.Sprintf("author %d", i)}).Error; err != nil {
			panic(err)
		}
	}
	return db
}

func ExamplePaginate() {
	db := exampleDB()
	defer closeDB(db)
	page, err := pagination.Paginate[Author](db.Order("id"), pagination.PaginatedFilter{Page: 2, PageSize: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range page.Items {
		fmt.Println(a.Name)
	}
	fmt.Printf("total %d, %d pages\n", page.Total, page.TotalPages)

	_, err = pagination.Paginate[Author](db, pagination.PaginatedFilter{PageSize: 1000})
	var pe *pagination.ParamError // the same type as scopes.ParamError
	if errors.As(err, &pe) {
		fmt.Printf("%s, %s: %s\n", pe.Param, pe.Rule, pe.Message)
	}
	// Output:
	// author 3
	// author 4
	// total 5, 3 pages
	// page_size, max: page_size: must be an integer from 1 to 100 (got 1000)
}

func ExamplePaginateCursor() {
	db := exampleDB()
	defer closeDB(db)
	order := []pagination.Order{{Column: "name", Desc: true}, {Column: "id", Desc: true}}
	key := pagination.WithCursorKey([]byte("load me from the environment: 32+ bytes"))

	first, _ := pagination.PaginateCursor[Author](db, order, pagination.CursorFilter{Limit: 2}, key)
	next, _ := pagination.PaginateCursor[Author](db, order, pagination.CursorFilter{After: first.NextCursor, Limit: 2}, key)
	back, _ := pagination.PaginateCursor[Author](db, order, pagination.CursorFilter{Before: next.PrevCursor, Limit: 2}, key)
	for _, p := range []pagination.CursorPage[Author]{first, next, back} {
		fmt.Println(p.Items[0].Name, p.Items[1].Name, p.HasPrev, p.HasNext)
	}
	_, err := pagination.PaginateCursor[Author](db, order, pagination.CursorFilter{After: "forged"}, key)
	fmt.Println(err)
	// Output:
	// author 5 author 4 false true
	// author 3 author 2 true true
	// author 5 author 4 false true
	// pagination: after: must be a cursor as returned in next_cursor or prev_cursor
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
