package main

import (
	"testing"

	"gorm.io/gorm"
)

// TestTextWithNULBytes checks that a NUL byte in any text field, which
// PostgreSQL cannot store, is refused as invalid input on both databases.
func TestTextWithNULBytes(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		wantFields(t, a.do("POST", "/authors", CreateAuthorRequest{Name: "Ada\x00", Email: "ada@example.com"}).wantError(t, 422, "validation_failed"), "name")
		ada := a.createAuthor("Ada", "ada@example.com")
		wantFields(t, a.do("POST", "/articles", CreateArticleRequest{AuthorID: ada.ID, Title: "T", Body: "a\x00b"}).wantError(t, 422, "validation_failed"), "body")
		art := a.createArticle(CreateArticleRequest{AuthorID: ada.ID, Title: "T"})
		wantFields(t, a.do("PATCH", "/articles/"+art.ID.String(), UpdateArticleRequest{Version: 1, Title: ptr("\x00")}).wantError(t, 422, "validation_failed"), "title")
	})
}
