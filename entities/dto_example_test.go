package entities_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"

	"github.com/gormext/gormext/entities"
)

type Article struct {
	entities.Entity
	Title string `validate:"required,max=200"`
	Words int
}

type ArticleResponse struct {
	ID        uuid.UUID `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Title     string    `json:"title"`
}

type CreateArticleRequest struct {
	Title string `json:"title"`
	Words int32  `json:"words"`
}

func ExampleToDTO() {
	a := Article{Title: "Hello", Words: 120}
	a.ID = uuid.MustParse("0190d9b2-7c1e-7000-8000-000000000001")
	a.CreatedAt = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

	resp, err := entities.ToDTO[ArticleResponse](&a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.ID, resp.CreatedAt.Format(time.RFC3339), resp.Title)
	// Output: 0190d9b2-7c1e-7000-8000-000000000001 2026-11-21T09:30:00Z Hello
}

func ExampleFromDTO() {
	a, err := entities.FromDTO[Article](CreateArticleRequest{Title: "Hello", Words: 120})
	fmt.Println(a.Title, a.Words, err)

	_, err = entities.FromDTO[Article](CreateArticleRequest{Title: ""})
	var verrs validator.ValidationErrors
	if errors.Is(err, entities.ErrInvalidDTO) && errors.As(err, &verrs) {
		fmt.Println(verrs[0].Field(), verrs[0].Tag())
	}
	// Output:
	// Hello 120 <nil>
	// Title required
}

func ExampleMappingError() {
	type Entity struct{ Age int }
	type DTO struct{ Age string }
	_, err := entities.ToDTO[DTO](Entity{Age: 3})
	var me *entities.MappingError
	if errors.As(err, &me) {
		fmt.Println(me.Field, "|", me.Reason)
	}
	// Output: Age | cannot copy int to string (change one of the types, or rename one field so that they no longer match)
}
