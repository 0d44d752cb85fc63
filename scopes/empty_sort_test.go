package scopes_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// Tag has no primary key, so an empty sort spec leaves nothing to sort by.
type Tag struct {
	Name   string
	Weight int
}

// TagFilter pages tags.
type TagFilter struct {
	scopes.Sorting
	pagination.PaginatedFilter
	pagination.CursorFilter
}

// An empty sort on a model without a primary key is ErrInvalidFilter at
// every entry point, before any SQL is sent: never a panic or a driver
// syntax error.
func TestEmptySortWithoutPrimaryKey(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&Tag{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&[]Tag{{"a", 1}, {"b", 2}}).Error; err != nil {
			t.Fatal(err)
		}
		ops := scopes.QueryOperations[Tag, TagFilter]{SortFields: []string{"name", "weight"}}
		ctx := ctxWith(db)
		for _, spec := range []string{"", " ", "\t \n"} {
			f := TagFilter{Sorting: scopes.Sorting{Sort: spec}}
			cases := map[string]func() error{
				"ParseSort": func() error {
					s, err := tagSchema(db)
					if err == nil {
						_, err = scopes.ParseSort(s, spec, ops.SortFields)
					}
					return err
				},
				"Sort": func() error {
					var tags []Tag
					return db.Scopes(scopes.Sort(spec, ops.SortFields...)).Find(&tags).Error
				},
				"List": func() error {
					_, err := ops.List(ctx, f)
					return err
				},
				"Paginate": func() error {
					_, err := ops.Paginate(ctx, f)
					return err
				},
				"PaginateCursor": func() error {
					_, err := ops.PaginateCursor(ctx, f)
					return err
				},
			}
			for name, call := range cases {
				err := call()
				if !errors.Is(err, scopes.ErrInvalidFilter) || !strings.Contains(err.Error(), "no primary key") {
					t.Errorf("%s, spec %q: err = %v, want ErrInvalidFilter saying there is no primary key", name, spec, err)
				}
			}
		}
		// A spec naming a column is enough.
		if _, err := ops.List(ctx, TagFilter{Sorting: scopes.Sorting{Sort: "name"}}); err != nil {
			t.Fatalf("sort by name: %v", err)
		}
	})
}

func tagSchema(db *gorm.DB) (*schema.Schema, error) {
	stmt := &gorm.Statement{DB: db}
	err := stmt.Parse(&Tag{})
	return stmt.Schema, err
}
