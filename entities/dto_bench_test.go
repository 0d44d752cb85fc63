package entities_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gormext/gormext/entities"
)

type benchEntity struct {
	entities.Entity
	Name    string
	Email   string
	Age     int
	Active  bool
	Address Address
	Books   []Book
}

type benchDTO struct {
	ID        uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
	Name      string
	Email     string
	Age       int
	Active    bool
	Address   AddressDTO
	Books     []BookDTO
}

func newBenchEntity() *benchEntity {
	e := &benchEntity{Name: "Ada", Email: "ada@example.com", Age: 36, Active: true,
		Address: Address{"1 Main St", "London"}, Books: []Book{{"Notes", 60}, {"Letters", 200}}}
	e.ID = uuid.New()
	e.CreatedAt = time.Now().UTC()
	e.UpdatedAt = e.CreatedAt
	return e
}

// handCopy is what ToDTO replaces: the copy written out field by field.
func handCopy(e *benchEntity) benchDTO {
	d := benchDTO{
		ID: e.ID, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		Name: e.Name, Email: e.Email, Age: e.Age, Active: e.Active,
		Address: AddressDTO{Street: e.Address.Street, City: e.Address.City},
	}
	if e.Books != nil {
		d.Books = make([]BookDTO, len(e.Books))
		for i, b := range e.Books {
			d.Books[i] = BookDTO{Title: b.Title, Pages: int64(b.Pages)}
		}
	}
	return d
}

var sinkDTO benchDTO

func BenchmarkToDTO(b *testing.B) {
	e := newBenchEntity()
	b.Run("impl=hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkDTO = handCopy(e)
		}
	})
	b.Run("impl=mapper", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := entities.ToDTO[benchDTO](e)
			if err != nil {
				b.Fatal(err)
			}
			sinkDTO = d
		}
	})
}

var sinkEntity benchEntity

func BenchmarkFromDTO(b *testing.B) {
	d := handCopy(newBenchEntity())
	b.Run("impl=hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e := benchEntity{Name: d.Name, Email: d.Email, Age: d.Age, Active: d.Active,
				Address: Address{Street: d.Address.Street, City: d.Address.City}}
			e.ID, e.CreatedAt, e.UpdatedAt = d.ID, d.CreatedAt, d.UpdatedAt
			e.Books = make([]Book, len(d.Books))
			for i, bk := range d.Books {
				e.Books[i] = Book{Title: bk.Title, Pages: int32(bk.Pages)}
			}
			sinkEntity = e
		}
	})
	b.Run("impl=mapper", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e, err := entities.FromDTOWith[benchEntity](nil, d)
			if err != nil {
				b.Fatal(err)
			}
			sinkEntity = e
		}
	})
}
