package scopes_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// Note is an entity with a UUID key and timestamps.
type Note struct {
	entities.Entity
	entities.SoftDeletableEntity
	Body string
}

type NoteFilter struct {
	BodyStarts *string     `form:"body_startswith" filter:"body,startswith"`
	IDIn       []uuid.UUID `form:"id_in" filter:"id,in"`
	Since      *time.Time  `form:"since" filter:"created_at,gte"`
	scopes.Sorting
	pagination.CursorFilter
	pagination.PaginatedFilter
}

// Keyset pages over UUIDv7 keys and timestamps, with
// several rows sharing a created_at.
func TestEntitiesKeyset(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&Note{}); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		var want []uuid.UUID
		for i := range 23 {
			n := Note{Body: "note"}
			n.ID = uuid.Must(uuid.NewV7()) // set here so the test does not lean on the hooks plugin
			n.CreatedAt = base.Add(time.Duration(i/4) * time.Minute)
			if err := db.Create(&n).Error; err != nil {
				t.Fatal(err)
			}
			want = append(want, n.ID)
		}
		slices.Reverse(want) // -created_at, then id DESC; UUIDv7 ids grow
		ops := scopes.QueryOperations[Note, NoteFilter]{SortFields: []string{"created_at"}, DefaultSort: "-created_at"}
		ctx := ctxWith(db)
		f := NoteFilter{CursorFilter: pagination.CursorFilter{Limit: 5}}
		var got []uuid.UUID
		for range 10 {
			p, err := ops.PaginateCursor(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range p.Items {
				got = append(got, n.ID)
			}
			if !p.HasNext {
				break
			}
			f.After = p.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("walk:\n got %v\nwant %v", got, want)
		}
		page, err := ops.Paginate(ctx, NoteFilter{IDIn: want[:3], Since: &base})
		if err != nil || page.Total != 3 {
			t.Fatalf("filter by UUIDs: %v %+v", err, page)
		}
	})
}
