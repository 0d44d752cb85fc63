package scopes_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/scopes"
)

var sortable = []string{"name", "age", "created_at", "score", "status"}

func TestSort(t *testing.T) {
	cases := []struct {
		spec string
		want []int64
	}{
		{"", []int64{1, 2, 3, 4, 5, 6}},
		{"age", []int64{5, 2, 4, 1, 3, 6}},
		{"-age", []int64{6, 3, 1, 4, 2, 5}},
		{"+age", []int64{5, 2, 4, 1, 3, 6}},
		{" status , -age ", []int64{3, 1, 5, 4, 6, 2}},
		// created_at ties on 3 and 4: the primary key, in the last key's direction, breaks it.
		{"-created_at", []int64{6, 5, 4, 3, 2, 1}},
		{"created_at", []int64{1, 2, 3, 4, 5, 6}},
		// NULL scores go last in both directions, on both databases.
		{"score", []int64{1, 4, 6, 3, 2, 5}},
		{"-score", []int64{3, 6, 4, 1, 5, 2}},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		for _, c := range cases {
			t.Run(c.spec, func(t *testing.T) {
				var ps []Person
				if err := db.Scopes(scopes.Sort(c.spec, sortable...)).Find(&ps).Error; err != nil {
					t.Fatal(err)
				}
				if got := ids(ps); !slices.Equal(got, c.want) {
					t.Fatalf("sort %q: got %v, want %v", c.spec, got, c.want)
				}
			})
		}
	})
}

func TestSortReplacesOrder(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		var ps []Person
		if err := db.Order("id DESC").Scopes(scopes.Sort("age", sortable...)).Find(&ps).Error; err != nil {
			t.Fatal(err)
		}
		if got, want := ids(ps), []int64{5, 2, 4, 1, 3, 6}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

func TestSortRejects(t *testing.T) {
	cases := []struct {
		spec    string
		allowed []string
		msg     string
	}{
		{"passwd", []string{"name", "created_at"}, `sort: unknown field "passwd" (allowed: name, created_at)`},
		{"name; DROP TABLE people", sortable, "sort: unknown field"},
		{"name DESC", sortable, "sort: unknown field"},
		{"--name", sortable, "sort: unknown field"},
		{"name,name", sortable, `field "name" given twice`},
		{"name,-name", sortable, "given twice"},
		{"name,", sortable, "has an empty field"},
		{",", sortable, "has an empty field"},
		{"-", sortable, "has an empty field"},
		{"name,age,created_at,score,status", sortable, "at most 4"},
		{strings.Repeat("a", 300), sortable, "at most 256"},
		{"email", []string{"email", "nope"}, `"nope" is allowed but the model Person has no such column`},
		{"Name", sortable, "sort: unknown field"},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		for _, c := range cases {
			var ps []Person
			err := db.Scopes(scopes.Sort(c.spec, c.allowed...)).Find(&ps).Error
			if !errors.Is(err, scopes.ErrInvalidFilter) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("sort %.40q: err = %v, want ErrInvalidFilter containing %q", c.spec, err, c.msg)
			}
		}
	})
}
