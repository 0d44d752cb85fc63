package hooks_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
)

// Post is the benchmark entity: ID, timestamps and three validated fields
// with the everyday rules (required, lengths).
type Post struct {
	entities.Entity
	Title  string `validate:"required,max=200"`
	Body   string `validate:"max=10000"`
	Author string `validate:"required,max=100"`
}

// benchDB opens in-memory SQLite exactly as the baseline does (plain GORM,
// same config), then registers the plugin when opts is not nil.
func benchDB(b *testing.B, opts []hooks.Option) *gorm.DB {
	b.Helper()
	db := testdb.Open(b, testdb.SQLite, testdb.Plain())
	if opts != nil {
		if err := db.Use(hooks.New(opts...)); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.AutoMigrate(&Post{}, &Article{}); err != nil {
		b.Fatal(err)
	}
	return db
}

// byHand sets what the plugin would: a UUIDv7 and both timestamps.
func byHand(e *entities.Entity) {
	e.ID = uuid.Must(uuid.NewV7())
	now := time.Now().UTC().Truncate(time.Microsecond)
	e.CreatedAt, e.UpdatedAt = now, now
}

func newPost() Post {
	return Post{Title: "A title of some length", Body: "A body that is a little longer than the title.", Author: "Ada"}
}

// BenchmarkCreate: one entity per Create. impl=plain sets the ID and the
// timestamps by hand on GORM alone; impl=hooks lets the plugin do it and
// validate three fields; impl=hooks-novalidate switches validation off.
func BenchmarkCreate(b *testing.B) {
	impls := []struct {
		name string
		opts []hooks.Option
	}{
		{"plain", nil},
		{"hooks", []hooks.Option{}},
		{"hooks-novalidate", []hooks.Option{hooks.WithoutValidation()}},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			db := benchDB(b, impl.opts)
			b.ReportAllocs()
			for b.Loop() {
				a := newPost()
				if impl.opts == nil {
					byHand(&a.Entity)
				}
				if err := db.Create(&a).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateInBatches: 1,000 entities in batches of 100.
func BenchmarkCreateInBatches(b *testing.B) {
	impls := []struct {
		name string
		opts []hooks.Option
	}{
		{"plain", nil},
		{"hooks", []hooks.Option{}},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			db := benchDB(b, impl.opts)
			rows := make([]Post, 1000)
			b.ReportAllocs()
			for b.Loop() {
				for i := range rows {
					rows[i] = newPost()
					if impl.opts == nil {
						byHand(&rows[i].Entity)
					}
				}
				if err := db.CreateInBatches(&rows, 100).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateEmailRule is BenchmarkCreate with an email rule among the
// three validated fields: the validator's email regular expression alone
// costs about as much as the rest of the plugin.
func BenchmarkCreateEmailRule(b *testing.B) {
	for _, impl := range []struct {
		name string
		opts []hooks.Option
	}{{"plain", nil}, {"hooks", []hooks.Option{}}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			db := benchDB(b, impl.opts)
			b.ReportAllocs()
			for b.Loop() {
				a := Article{Title: "A title of some length", Body: "A body.", Email: "author@example.com"}
				if impl.opts == nil {
					byHand(&a.Entity)
				}
				if err := db.Create(&a).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
