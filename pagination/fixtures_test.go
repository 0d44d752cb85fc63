package pagination_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"
)

// Author has many Books.
type Author struct {
	ID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Name  string
	Books []Book
}

// Book belongs to an Author.
type Book struct {
	ID       int64 `gorm:"primaryKey;autoIncrement:false"`
	AuthorID int64
	Author   *Author
	Title    string
	Genre    string
}

// seedBooks makes authors 1 to 7; author i has i%3 books (7 in all, 5 in
// genre sf and 2 in crime), so authors 3 and 6 have none.
func seedBooks(t testing.TB, db *gorm.DB) {
	t.Helper()
	if err := db.AutoMigrate(&Author{}, &Book{}); err != nil {
		t.Fatal(err)
	}
	var bookID int64
	for i := int64(1); i <= 7; i++ {
		a := Author{ID: i, Name: fmt.Sprintf("author %d", i)}
		for j := range i % 3 {
			bookID++
			a.Books = append(a.Books, Book{ID: bookID, Title: fmt.Sprintf("book %d", bookID), Genre: []string{"sf", "crime"}[j%2]})
		}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
	}
}
