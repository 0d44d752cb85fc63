package scopes_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// A sort spec places NULLs with :nullsfirst or :nullslast after the field,
// in either direction, on both databases.
func TestSortNullsPlacement(t *testing.T) {
	cases := []struct {
		spec string
		want []int64
	}{
		// scores: 1→10, 2→NULL, 3→30, 4→10, 5→NULL, 6→20
		{"score:nullslast", []int64{1, 4, 6, 3, 2, 5}},
		{"score:nullsfirst", []int64{2, 5, 1, 4, 6, 3}},
		{"-score:nullsfirst", []int64{5, 2, 3, 6, 4, 1}},
		{"-score:nullslast", []int64{3, 6, 4, 1, 5, 2}},
		{"+score:nullsfirst", []int64{2, 5, 1, 4, 6, 3}},
		{" -score:nullsfirst , -age ", []int64{2, 5, 3, 6, 1, 4}},
		// a column that holds no NULL sorts the same with either placement.
		{"age:nullsfirst", []int64{5, 2, 4, 1, 3, 6}},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		for _, c := range cases {
			var ps []Person
			if err := db.Scopes(scopes.Sort(c.spec, sortable...)).Find(&ps).Error; err != nil {
				t.Fatalf("sort %q: %v", c.spec, err)
			}
			if got := ids(ps); !slices.Equal(got, c.want) {
				t.Errorf("sort %q: got %v, want %v", c.spec, got, c.want)
			}
		}
	})
}

// ParseSort and pagination.Order agree: the spec syntax is Order.String.
func TestSortNullsOrder(t *testing.T) {
	cases := []struct {
		spec string
		want []pagination.Order
	}{
		{"-score:nullsfirst", []pagination.Order{{Column: "score", Desc: true, NullsFirst: true}, {Column: "id", Desc: true}}},
		{"score:nullslast,name", []pagination.Order{{Column: "score"}, {Column: "name"}, {Column: "id"}}},
		{"name:nullsfirst", []pagination.Order{{Column: "name", NullsFirst: true}, {Column: "id"}}},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		s := schemaOf(t, db, &Person{})
		for _, c := range cases {
			got, err := scopes.ParseSort(s, c.spec, sortable)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("ParseSort(%q) = %v, want %v", c.spec, got, c.want)
			}
			var specs []string
			for _, o := range got {
				specs = append(specs, o.String())
			}
			again, err := scopes.ParseSort(s, strings.Join(specs, ","), append(sortable, "id"))
			if err != nil || !slices.Equal(again, got) {
				t.Errorf("ParseSort(%q) = %v, %v; want %v", strings.Join(specs, ","), again, err, got)
			}
		}
	})
}

func TestSortNullsRejects(t *testing.T) {
	cases := []struct{ spec, msg string }{
		{"score:", `field "score" has an unknown modifier ""`},
		{"score:NULLSFIRST", `field "score" has an unknown modifier "NULLSFIRST" (allowed: nullsfirst, nullslast)`},
		{"score:nulls first", `unknown modifier "nulls first"`},
		{"score:nullsfirst:nullslast", `unknown modifier "nullsfirst:nullslast"`},
		{"score nulls first", `sort: unknown field "score nulls first"`},
		{"score:nullsfirst;DROP TABLE people", `unknown modifier "nullsfirst;DROP TABLE people"`},
		{":nullsfirst", "has an empty field"},
		{"-:nullsfirst", "has an empty field"},
		{"passwd:nullsfirst", `sort: unknown field "passwd"`},
		{"score:nullsfirst,score:nullslast", `field "score" given twice`},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		for _, c := range cases {
			var ps []Person
			err := db.Scopes(scopes.Sort(c.spec, sortable...)).Find(&ps).Error
			if !errors.Is(err, scopes.ErrInvalidFilter) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("sort %q: err = %v, want ErrInvalidFilter containing %q", c.spec, err, c.msg)
			}
		}
	})
}
