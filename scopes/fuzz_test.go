package scopes_test

import (
	"errors"
	"net/url"
	"reflect"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// FuzzDecode: any raw query string decodes (DecodeQuery) into a filter or
// fails with scopes.ParamErrors matching one of the two sentinels, whose
// messages are bounded and speak of parameters, never of Go; a decoded
// filter always builds. DecodeQuery refuses every query url.ParseQuery
// drops pairs of, and otherwise does what Decode does.
func FuzzDecode(f *testing.F) {
	for _, c := range hostile {
		f.Add(c.query)
	}
	f.Add("name_icontains=ann&age_gte=18&status_in=a,b&sort=-created_at")
	f.Add("age_gte=x&name=a&name=b&page=0&id_in=1,y&email_isnull=2&age_lt=1e400")
	f.Add("name_icontains=x;y&sort=name;DROP+TABLE&page=1;2&%zz=1&name=a%3Bb&;")
	db := testdb.Open(f, testdb.SQLite).Session(&gorm.Session{DryRun: true})
	f.Fuzz(func(t *testing.T, raw string) {
		var pf PersonFilter
		err := scopes.DecodeQuery(raw, &pf)
		checkSameAsDecode(t, raw, pf, err)
		if err != nil {
			if !errors.Is(err, scopes.ErrInvalidFilter) && !errors.Is(err, pagination.ErrInvalidPage) {
				t.Fatalf("Decode(%q): error without a sentinel: %v", raw, err)
			}
			if len(err.Error()) > 1300 {
				t.Fatalf("Decode(%q): message of %d bytes", raw, len(err.Error()))
			}
			var all scopes.ParamErrors
			if !errors.As(err, &all) || len(all) == 0 || len(all) > 5 {
				t.Fatalf("Decode(%q): %v is not 1 to 5 scopes.ParamErrors", raw, err)
			}
			for _, pe := range all {
				if (pe.Param == "" && !slices.Contains([]string{"unknown", "semicolon", "escape"}, pe.Rule)) || pe.Rule == "" || pe.Message == "" {
					t.Fatalf("Decode(%q): incomplete %#v", raw, pe)
				}
				if leak := goInternals(pe.Message, personFilterType); leak != "" {
					t.Fatalf("Decode(%q): message %q speaks of Go: %q", raw, pe.Message, leak)
				}
			}
			return
		}
		var ps []Person
		if err := db.Scopes(scopes.Filter(pf)).Find(&ps).Error; err != nil {
			t.Fatalf("Decode(%q) accepted a filter that does not build: %v", raw, err)
		}
	})
}

var personFilterType = reflect.TypeFor[PersonFilter]()

// checkSameAsDecode checks DecodeQuery against url.ParseQuery and Decode:
// it refuses what url.ParseQuery cannot read in full, and otherwise fills
// the same filter and fails alike.
func checkSameAsDecode(t *testing.T, raw string, got PersonFilter, err error) {
	t.Helper()
	values, parseErr := url.ParseQuery(raw)
	if parseErr != nil {
		if err == nil {
			t.Fatalf("DecodeQuery(%q) accepted what url.ParseQuery drops pairs of: %v", raw, parseErr)
		}
		return
	}
	var want PersonFilter
	wantErr := scopes.Decode(values, &want)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("DecodeQuery(%q): %v; Decode: %v", raw, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeQuery(%q) filled %+v, Decode %+v", raw, got, want)
	}
}

var (
	personSchemaOnce sync.Once
	personSchema     *schema.Schema
)

func personSchemaFor(t testing.TB) *schema.Schema {
	personSchemaOnce.Do(func() {
		s, err := schema.Parse(&Person{}, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		personSchema = s
	})
	return personSchema
}

// FuzzSort: any spec is rejected with ErrInvalidFilter or yields a short,
// duplicate-free order of allowed columns ending with the primary key.
func FuzzSort(f *testing.F) {
	for _, seed := range []string{"", "-created_at,name", "name;DROP TABLE people", "+age,-score", "-", ",,", "id", "name,name"} {
		f.Add(seed)
	}
	allowed := []string{"name", "age", "created_at", "score"}
	f.Fuzz(func(t *testing.T, spec string) {
		order, err := scopes.ParseSort(personSchemaFor(t), spec, allowed)
		if err != nil {
			if !errors.Is(err, scopes.ErrInvalidFilter) || len(err.Error()) > 300 {
				t.Fatalf("ParseSort(%q): %v", spec, err)
			}
			return
		}
		if len(order) == 0 || len(order) > scopes.MaxSortKeys+1 || order[len(order)-1].Column != "id" {
			t.Fatalf("ParseSort(%q) = %+v", spec, order)
		}
		seen := map[string]bool{}
		for _, o := range order[:len(order)-1] {
			if seen[o.Column] || !slices.Contains(allowed, o.Column) {
				t.Fatalf("ParseSort(%q) = %+v", spec, order)
			}
			seen[o.Column] = true
		}
	})
}
