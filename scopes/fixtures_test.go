package scopes_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
	"github.com/gormext/gormext/txctx"
)

// Person is the model the tests query.
type Person struct {
	ID        int64 `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	Email     *string
	Age       int
	Status    string
	Score     *int
	CreatedAt time.Time `gorm:"not null;autoCreateTime:false"`
	DeletedAt gorm.DeletedAt
}

// PersonFilter is a filter struct shaped like a query string.
type PersonFilter struct {
	NameIContains *string  `form:"name_icontains" filter:"name,icontains" validate:"omitempty,max=100"`
	NameContains  *string  `form:"name_contains" filter:"name,contains"`
	NameStarts    *string  `form:"name_startswith" filter:"name,startswith"`
	NameEnds      *string  `form:"name_endswith" filter:"name,endswith"`
	Name          *string  `form:"name" filter:"name"`
	NameNe        *string  `form:"name_ne" filter:"name,ne"`
	AgeGte        *int     `form:"age_gte" filter:"age,gte" validate:"omitempty,gte=0,lte=150"`
	AgeGt         *int     `form:"age_gt" filter:"age,gt"`
	AgeLt         *int     `form:"age_lt" filter:"age,lt"`
	AgeLte        *int     `form:"age_lte" filter:"age,lte"`
	StatusIn      []string `form:"status_in" filter:"status,in"`
	StatusNotIn   []string `form:"status_not_in" filter:"status,not_in"`
	EmailIsNull   *bool    `form:"email_isnull" filter:"email,isnull"`
	IDIn          []int64  `form:"id_in" filter:"id,in"`
	scopes.Sorting
	scopes.Searching
	pagination.PaginatedFilter
	pagination.CursorFilter
}

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// people are the rows every test starts from.
func people() []Person {
	return []Person{
		{ID: 1, Name: "Ann", Email: ptr("ann@example.com"), Age: 34, Status: "active", Score: ptr(10), CreatedAt: t0},
		{ID: 2, Name: "anna", Age: 17, Status: "pending", CreatedAt: t0.Add(time.Hour)},
		{ID: 3, Name: "Bob_1", Email: ptr("bob@example.com"), Age: 51, Status: "active", Score: ptr(30), CreatedAt: t0.Add(2 * time.Hour)},
		{ID: 4, Name: "Bob%2", Age: 18, Status: "banned", Score: ptr(10), CreatedAt: t0.Add(2 * time.Hour)},
		{ID: 5, Name: `C\D`, Email: ptr("cd@example.com"), Age: 0, Status: "active", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: 6, Name: "Dan*?[x]", Age: 70, Status: "pending", Score: ptr(20), CreatedAt: t0.Add(4 * time.Hour)},
	}
}

// seed creates the table and rows and returns db.
func seed(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	if err := db.AutoMigrate(&Person{}); err != nil {
		t.Fatal(err)
	}
	ps := people()
	if err := db.Create(&ps).Error; err != nil {
		t.Fatal(err)
	}
	return db
}

func ids(ps []Person) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func ctxWith(db *gorm.DB) context.Context { return txctx.WithDB(context.Background(), db) }
