package scopes_test

import (
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
	"github.com/gormext/gormext/txctx"
)

// tenantOps sees only active or banned people: a Base scope with an OR that
// no filter may widen.
func tenantOps() scopes.QueryOperations[Person, PersonFilter] {
	return scopes.QueryOperations[Person, PersonFilter]{
		SortFields:    []string{"name", "age", "created_at", "score"},
		DefaultSort:   "-created_at",
		SearchColumns: []string{"name", "email"},
		Base: func(db *gorm.DB) *gorm.DB {
			return db.Where("status = ?", "active").Or("status = ?", "banned")
		},
		MaxPageSize: 3,
	}
}

func TestOperationsBaseCannotBeEscaped(t *testing.T) {
	cases := []struct {
		name string
		f    PersonFilter
		want []int64
	}{
		{"no filter", PersonFilter{}, []int64{5, 4, 3, 1}},
		{"filter narrows", PersonFilter{AgeGte: ptr(30)}, []int64{3, 1}},
		{"filter on rows outside the base", PersonFilter{StatusIn: []string{"pending"}}, nil},
		{"name of a row outside the base", PersonFilter{Name: ptr("anna")}, nil},
		{"search narrows", PersonFilter{Searching: scopes.Searching{Q: "EXAMPLE.COM"}}, []int64{5, 3, 1}},
		{"search cannot widen", PersonFilter{Searching: scopes.Searching{Q: "anna"}}, nil},
		{"sort from the filter", PersonFilter{Sorting: scopes.Sorting{Sort: "age"}}, []int64{5, 4, 1, 3}},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		ops := tenantOps()
		ctx := ctxWith(db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := ops.List(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), c.want) {
					t.Fatalf("List: got %v, want %v", ids(got), c.want)
				}
				var n int64
				if err := ops.ApplyFilters(txctx.DB(ctx).Model(&Person{}), c.f).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				if n != int64(len(c.want)) {
					t.Fatalf("ApplyFilters count: got %d, want %d", n, len(c.want))
				}
			})
		}
	})
}

func TestOperationsPaginate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		ops := tenantOps()
		ctx := ctxWith(db)
		f := PersonFilter{PaginatedFilter: pagination.PaginatedFilter{Page: 2, PageSize: 3}}
		p, err := ops.Paginate(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(p.Items), []int64{1}) || p.Total != 4 || p.TotalPages != 2 || p.Page != 2 || p.PageSize != 3 {
			t.Fatalf("page 2: %+v", p)
		}
		f.PageSize = 4
		if _, err := ops.Paginate(ctx, f); !errors.Is(err, pagination.ErrInvalidPage) {
			t.Fatalf("page size above MaxPageSize: err = %v", err)
		}
		ops.MaxPage = 1
		f.PageSize = 3
		if _, err := ops.Paginate(ctx, f); !errors.Is(err, pagination.ErrInvalidPage) {
			t.Fatalf("page above MaxPage: err = %v", err)
		}
		f = PersonFilter{Sorting: scopes.Sorting{Sort: "email"}}
		if _, err := ops.Paginate(ctx, f); !errors.Is(err, scopes.ErrInvalidFilter) {
			t.Fatalf("sort field not allowed: err = %v", err)
		}
	})
}

func TestOperationsPaginateCursor(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		ops := tenantOps()
		ctx := ctxWith(db)
		var got []int64
		f := PersonFilter{CursorFilter: pagination.CursorFilter{Limit: 3}, Sorting: scopes.Sorting{Sort: "score"}}
		for range 10 {
			p, err := ops.PaginateCursor(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(p.Items)...)
			if !p.HasNext {
				break
			}
			f.After = p.NextCursor
		}
		if want := []int64{1, 4, 3, 5}; !slices.Equal(got, want) {
			t.Fatalf("walk by score: got %v, want %v", got, want)
		}
		f.Sort = "-score"
		if _, err := ops.PaginateCursor(ctx, f); !errors.Is(err, pagination.ErrInvalidPage) {
			t.Fatalf("cursor reused with another sort: err = %v", err)
		}
		other := tenantOps()
		other.CursorKey = []byte("another key of at least thirty-two bytes")
		f.Sort = "score"
		if _, err := other.PaginateCursor(ctx, f); !errors.Is(err, pagination.ErrInvalidPage) {
			t.Fatalf("cursor checked with another key: err = %v", err)
		}
	})
}

func TestOperationsJoinTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		ops := tenantOps()
		tx := db.Begin()
		defer tx.Rollback()
		if err := tx.Create(&Person{ID: 7, Name: "Eve", Status: "active", CreatedAt: t0}).Error; err != nil {
			t.Fatal(err)
		}
		got, err := ops.List(ctxWith(tx), PersonFilter{Name: ptr("Eve")})
		if err != nil || !slices.Equal(ids(got), []int64{7}) {
			t.Fatalf("List in the context's transaction: %v, %v", ids(got), err)
		}
	})
}

func TestSoftDeleteScopes(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		if err := db.Delete(&Person{}, []int64{2, 4}).Error; err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			scope func(*gorm.DB) *gorm.DB
			want  []int64
		}{
			{"default hides deleted", func(d *gorm.DB) *gorm.DB { return d }, []int64{1, 3, 5, 6}},
			{"with deleted", scopes.WithDeleted(), []int64{1, 2, 3, 4, 5, 6}},
			{"only deleted", scopes.OnlyDeleted(), []int64{2, 4}},
		}
		for _, c := range cases {
			var ps []Person
			if err := db.Scopes(c.scope).Order("id").Find(&ps).Error; err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(ps), c.want) {
				t.Errorf("%s: got %v, want %v", c.name, ids(ps), c.want)
			}
		}
		type plain struct{ ID int64 }
		var rows []plain
		err := db.Table("people").Model(&plain{}).Scopes(scopes.OnlyDeleted()).Find(&rows).Error
		if !errors.Is(err, scopes.ErrInvalidFilter) {
			t.Fatalf("OnlyDeleted without DeletedAt: err = %v", err)
		}
	})
}

func TestSearch(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		cases := []struct {
			q    string
			want []int64
		}{
			{"", []int64{1, 2, 3, 4, 5, 6}},
			{"   ", []int64{1, 2, 3, 4, 5, 6}},
			{"BOB", []int64{3, 4}},
			{"_", []int64{3}},
			{"%", []int64{4}},
			{"' OR '1'='1", nil},
		}
		for _, c := range cases {
			var ps []Person
			err := db.Where("age < ?", 60).Scopes(scopes.Search(c.q, "name", "email")).Order("id").Find(&ps).Error
			if err != nil {
				t.Fatal(err)
			}
			want := slices.DeleteFunc(slices.Clone(c.want), func(id int64) bool { return id == 6 })
			if !slices.Equal(ids(ps), want) {
				t.Errorf("search %q: got %v, want %v", c.q, ids(ps), want)
			}
		}
		var ps []Person
		if err := db.Scopes(scopes.Search("x", "passwd")).Find(&ps).Error; !errors.Is(err, scopes.ErrInvalidFilter) {
			t.Fatalf("unknown search column: err = %v", err)
		}
	})
}

// A Base scope may return a new instance (here through Session); its
// conditions still apply.
func TestOperationsBaseReturningNewInstance(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		ops := scopes.QueryOperations[Person, PersonFilter]{
			Base: func(d *gorm.DB) *gorm.DB {
				return d.Session(&gorm.Session{}).Where("status = ?", "pending")
			},
		}
		got, err := ops.List(ctxWith(db), PersonFilter{AgeGte: ptr(18)})
		if err != nil || !slices.Equal(ids(got), []int64{6}) {
			t.Fatalf("got %v, %v; want [6]", ids(got), err)
		}
	})
}
