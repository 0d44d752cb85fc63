package hooks_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
)

// Author and Book: entities with associations, loaded with Preload.
type Author struct {
	entities.Entity
	Name  string `validate:"required"`
	Books []Book
}

type Book struct {
	entities.Entity
	AuthorID uuid.UUID `gorm:"type:uuid"`
	Title    string    `validate:"required"`
}

// PtrEmbedded embeds the bases through pointers.
type PtrEmbedded struct {
	*entities.IdentifiableEntity
	*entities.DatedEntity
	Name string
}

func TestAssociationsAndPreload(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Author{}, &Book{}}, func(t *testing.T, db *gorm.DB) {
		a := Author{Name: "Le Guin", Books: []Book{{Title: "The Dispossessed"}, {Title: "Lathe of Heaven"}}}
		mustCreate(t, db, &a)
		for _, b := range a.Books {
			if b.ID == uuid.Nil || b.AuthorID != a.ID || b.CreatedAt != c.stored() {
				t.Fatalf("associated row not filled: %+v", b)
			}
		}
		var got Author
		if err := db.Preload("Books", func(db *gorm.DB) *gorm.DB { return db.Order("title") }).First(&got, "id = ?", a.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got.Entity != a.Entity || got.Name != a.Name || len(got.Books) != 2 {
			t.Fatalf("reloaded author = %+v", got)
		}
		if got.Books[0] != a.Books[1] || got.Books[1] != a.Books[0] {
			t.Fatalf("preloaded books differ:\n got %+v\nwant %+v", got.Books, a.Books)
		}
		if err := db.Create(&Author{Name: "x", Books: []Book{{}}}).Error; err == nil {
			t.Fatal("an invalid associated row was accepted")
		}
	})
}

func TestPointerEmbeddedBases(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&PtrEmbedded{}}, func(t *testing.T, db *gorm.DB) {
		p := PtrEmbedded{Name: "p"}
		mustCreate(t, db, &p)
		if p.IdentifiableEntity == nil || p.ID == uuid.Nil || p.DatedEntity == nil || p.CreatedAt != c.stored() {
			t.Fatalf("row not filled: %+v", p)
		}
		c.Advance(time.Minute)
		if err := db.Model(&p).Update("name", "q").Error; err != nil {
			t.Fatal(err)
		}
		var got PtrEmbedded
		if err := db.First(&got, "id = ?", p.ID).Error; err != nil {
			t.Fatal(err)
		}
		if *got.IdentifiableEntity != *p.IdentifiableEntity || *got.DatedEntity != *p.DatedEntity || got.UpdatedAt != c.stored() {
			t.Fatalf("reloaded = %+v %+v, want %+v %+v", got.IdentifiableEntity, got.DatedEntity, p.IdentifiableEntity, p.DatedEntity)
		}
	})
}
