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

func TestFilterOperators(t *testing.T) {
	cases := []struct {
		name string
		f    PersonFilter
		want []int64
	}{
		{"empty filter selects all", PersonFilter{}, []int64{1, 2, 3, 4, 5, 6}},
		{"eq", PersonFilter{Name: ptr("Ann")}, []int64{1}},
		{"eq empty string via pointer", PersonFilter{Name: ptr("")}, nil},
		{"ne", PersonFilter{NameNe: ptr("Ann")}, []int64{2, 3, 4, 5, 6}},
		{"gte", PersonFilter{AgeGte: ptr(51)}, []int64{3, 6}},
		{"gte zero via pointer is applied", PersonFilter{AgeGte: ptr(0)}, []int64{1, 2, 3, 4, 5, 6}},
		{"gt", PersonFilter{AgeGt: ptr(51)}, []int64{6}},
		{"lt", PersonFilter{AgeLt: ptr(18)}, []int64{2, 5}},
		{"lte", PersonFilter{AgeLte: ptr(18)}, []int64{2, 4, 5}},
		{"in", PersonFilter{StatusIn: []string{"banned", "pending"}}, []int64{2, 4, 6}},
		{"in single", PersonFilter{StatusIn: []string{"banned"}}, []int64{4}},
		{"in ints", PersonFilter{IDIn: []int64{1, 5, 99}}, []int64{1, 5}},
		{"not_in", PersonFilter{StatusNotIn: []string{"active"}}, []int64{2, 4, 6}},
		{"empty in list is skipped", PersonFilter{StatusIn: []string{}}, []int64{1, 2, 3, 4, 5, 6}},
		{"isnull true", PersonFilter{EmailIsNull: ptr(true)}, []int64{2, 4, 6}},
		{"isnull false", PersonFilter{EmailIsNull: ptr(false)}, []int64{1, 3, 5}},
		{"icontains ignores case", PersonFilter{NameIContains: ptr("AN")}, []int64{1, 2, 6}},
		{"contains is case-sensitive", PersonFilter{NameContains: ptr("an")}, []int64{2, 6}},
		{"contains upper", PersonFilter{NameContains: ptr("A")}, []int64{1}},
		{"startswith is case-sensitive", PersonFilter{NameStarts: ptr("a")}, []int64{2}},
		{"endswith", PersonFilter{NameEnds: ptr("nn")}, []int64{1}},
		{"underscore is literal", PersonFilter{NameContains: ptr("_")}, []int64{3}},
		{"percent is literal", PersonFilter{NameIContains: ptr("%")}, []int64{4}},
		{"backslash is literal", PersonFilter{NameContains: ptr(`\`)}, []int64{5}},
		{"backslash-D is literal", PersonFilter{NameStarts: ptr(`C\D`)}, []int64{5}},
		{"glob star is literal", PersonFilter{NameContains: ptr("*")}, []int64{6}},
		{"glob question mark is literal", PersonFilter{NameEnds: ptr("?[x]")}, []int64{6}},
		{"glob class is literal", PersonFilter{NameContains: ptr("[x]")}, []int64{6}},
		{"like pattern in value matches nothing", PersonFilter{NameContains: ptr("B_b")}, nil},
		{"several fields are ANDed", PersonFilter{StatusIn: []string{"active"}, AgeGte: ptr(30)}, []int64{1, 3}},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var ps []Person
				if err := db.Scopes(scopes.Filter(c.f)).Order("id").Find(&ps).Error; err != nil {
					t.Fatal(err)
				}
				if got := ids(ps); !slices.Equal(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			})
		}
	})
}

// NonPointer fields skip their zero value.
type plainFilter struct {
	Age    int    `filter:"age"`
	Status string `filter:"status"`
	Active bool   `filter:"email,isnull"`
}

func TestFilterSkipsZeroValues(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		var ps []Person
		if err := db.Scopes(scopes.Filter(plainFilter{})).Find(&ps).Error; err != nil {
			t.Fatal(err)
		}
		if len(ps) != 6 {
			t.Fatalf("zero filter selected %d rows, want 6", len(ps))
		}
		if err := db.Scopes(scopes.Filter(&plainFilter{Status: "active", Active: true})).Find(&ps).Error; err != nil {
			t.Fatal(err)
		}
		if got := ids(ps); len(got) != 0 {
			t.Fatalf("active rows with NULL email: got %v, want none", got)
		}
	})
}

// The filter group stays in parentheses next to an OR in the caller's query.
func TestFilterCannotBeWidenedByOr(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		var ps []Person
		f := PersonFilter{StatusIn: []string{"banned"}, AgeGte: ptr(1)}
		err := db.Where("name = ? OR name = ?", "Ann", "anna").Scopes(scopes.Filter(f)).Find(&ps).Error
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 0 {
			t.Fatalf("got %v, want no rows", ids(ps))
		}
		// GORM alone would read Where(a).Or(b).Where(c) as a OR (b AND c).
		err = db.Where("name = ?", "Ann").Or("name = ?", "anna").Scopes(scopes.Filter(f), scopes.Search("bob", "name")).Find(&ps).Error
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 0 {
			t.Fatalf("Or chain: got %v, want no rows", ids(ps))
		}
	})
}

type badColumn struct {
	Passwd *string `filter:"passwd"`
}

type badOperator struct {
	Name *string `filter:"name,like"`
}

type badKind struct {
	Name *string `filter:"name,in"`
}

type badContainsKind struct {
	Age *int `filter:"age,contains"`
}

type badInjectedColumn struct {
	X *string `filter:"name = name OR 1=1 --"`
}

func TestFilterRejects(t *testing.T) {
	cases := []struct {
		name string
		f    any
		msg  string
	}{
		{"unknown column", badColumn{Passwd: ptr("x")}, `has no column "passwd"`},
		{"unknown operator", badOperator{Name: ptr("x")}, `unknown operator "like"`},
		{"in on a scalar", badKind{Name: ptr("x")}, "operator in needs a slice"},
		{"contains on an int", badContainsKind{Age: ptr(1)}, "operator contains needs a string"},
		{"SQL in a column tag", badInjectedColumn{X: ptr("x")}, "has no column"},
		{"NUL byte", PersonFilter{Name: ptr("a\x00b")}, "NUL byte"},
		{"invalid UTF-8", PersonFilter{NameContains: ptr("\xff\xfe")}, "name_contains: must be valid UTF-8 text"},
		{"NUL in a list", PersonFilter{StatusIn: []string{"ok", "\x00"}}, "NUL byte"},
		{"too many values", PersonFilter{IDIn: make([]int64, scopes.MaxInValues+1)}, "at most 1000"},
		{"not a struct", 42, "needs a struct"},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var ps []Person
				err := db.Scopes(scopes.Filter(c.f)).Find(&ps).Error
				if !errors.Is(err, scopes.ErrInvalidFilter) {
					t.Fatalf("err = %v, want ErrInvalidFilter", err)
				}
				if !strings.Contains(err.Error(), c.msg) {
					t.Fatalf("message %q does not contain %q", err, c.msg)
				}
				if len(ps) != 0 {
					t.Fatalf("rows were read: %v", ids(ps))
				}
			})
		}
	})
}

func TestFilterNeedsModel(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		var n int64
		err := db.Table("people").Scopes(scopes.Filter(PersonFilter{Name: ptr("Ann")})).Count(&n).Error
		if !errors.Is(err, scopes.ErrInvalidFilter) {
			t.Fatalf("err = %v, want ErrInvalidFilter", err)
		}
	})
}

// icontains folds non-ASCII case on PostgreSQL (UTF-8 locale) but not on
// SQLite, whose LOWER knows ASCII only; docs/querying.md says so.
func TestIContainsNonASCII(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		if err := db.Create(&Person{ID: 9, Name: "ÄRGER", Status: "x", CreatedAt: t0}).Error; err != nil {
			t.Fatal(err)
		}
		var ps []Person
		if err := db.Scopes(scopes.Filter(PersonFilter{NameIContains: ptr("ärger")})).Find(&ps).Error; err != nil {
			t.Fatal(err)
		}
		want := 0
		if db.Dialector.Name() == "postgres" {
			var folds bool // true with a UTF-8 locale, as in CI
			if err := db.Raw("SELECT lower('Ä') = 'ä'").Scan(&folds).Error; err != nil {
				t.Fatal(err)
			}
			if folds {
				want = 1
			}
		}
		if len(ps) != want {
			t.Fatalf("%s: %d rows, want %d", db.Dialector.Name(), len(ps), want)
		}
	})
}

// An empty column in the tag takes the field's column name.
type defaultColumns struct {
	Status *string `filter:""`
	Age    *int    `filter:",gte"`
}

func TestFilterDefaultColumn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		var ps []Person
		if err := db.Scopes(scopes.Filter(defaultColumns{Status: ptr("active"), Age: ptr(34)})).Order("id").Find(&ps).Error; err != nil {
			t.Fatal(err)
		}
		if got := ids(ps); !slices.Equal(got, []int64{1, 3}) {
			t.Fatalf("got %v, want [1 3]", got)
		}
	})
}
