package pagination_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

func authorIDs(as []Author) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func TestPaginate(t *testing.T) {
	cases := []struct {
		name       string
		f          pagination.PaginatedFilter
		want       []int64
		total      int64
		totalPages int
	}{
		{"defaults", pagination.PaginatedFilter{}, []int64{1, 2, 3, 4, 5, 6, 7}, 7, 1},
		{"first page", pagination.PaginatedFilter{Page: 1, PageSize: 3}, []int64{1, 2, 3}, 7, 3},
		{"last partial page", pagination.PaginatedFilter{Page: 3, PageSize: 3}, []int64{7}, 7, 3},
		{"past the end keeps the total", pagination.PaginatedFilter{Page: 9, PageSize: 3}, []int64{}, 7, 3},
		{"exact fit", pagination.PaginatedFilter{Page: 1, PageSize: 7}, []int64{1, 2, 3, 4, 5, 6, 7}, 7, 1},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedBooks(t, db)
		for _, c := range cases {
			p, err := pagination.Paginate[Author](db.Order("id"), c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !slices.Equal(authorIDs(p.Items), c.want) || p.Total != c.total || p.TotalPages != c.totalPages {
				t.Errorf("%s: items %v total %d pages %d; want %v %d %d", c.name, authorIDs(p.Items), p.Total, p.TotalPages, c.want, c.total, c.totalPages)
			}
			if p.Items == nil {
				t.Errorf("%s: Items is nil; JSON would read null", c.name)
			}
		}
	})
}

func TestPaginateCountsWhatTheQueryYields(t *testing.T) {
	type genreCount struct {
		Genre string
		N     int64
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedBooks(t, db)
		// Authors 1,2,4,5,7 have books; to-many join made DISTINCT.
		joined := db.Model(&Author{}).Distinct("authors.*").Joins("JOIN books ON books.author_id = authors.id").Order("authors.id")
		p, err := pagination.Paginate[Author](joined, pagination.PaginatedFilter{PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 5 || p.TotalPages != 3 || !slices.Equal(authorIDs(p.Items), []int64{1, 2}) {
			t.Fatalf("distinct join: total %d pages %d items %v; want 5 3 [1 2]", p.Total, p.TotalPages, authorIDs(p.Items))
		}
		// The same join without DISTINCT yields one row per book: 7 books.
		plain := db.Model(&Author{}).Joins("JOIN books ON books.author_id = authors.id").Order("books.id")
		p, err = pagination.Paginate[Author](plain, pagination.PaginatedFilter{PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != int64(len(p.Items)) || p.Total != 7 {
			t.Fatalf("plain join: total %d, items %d; want 7 and 7", p.Total, len(p.Items))
		}
		// GORM's to-one join (Joins("Author")) selects aliased columns of both tables.
		withAuthor := db.Model(&Book{}).Joins("Author").Where("books.author_id <> ?", 1).Order("books.id")
		bp, err := pagination.Paginate[Book](withAuthor, pagination.PaginatedFilter{PageSize: 4, Page: 2})
		if err != nil {
			t.Fatal(err)
		}
		if bp.Total != 6 || len(bp.Items) != 2 || bp.Items[0].Author == nil || bp.Items[0].Author.ID != bp.Items[0].AuthorID {
			t.Fatalf("to-one join: total %d, %d items, first %+v", bp.Total, len(bp.Items), bp.Items)
		}
		// GROUP BY counts groups, not rows.
		grouped := db.Model(&Book{}).Select("genre, count(*) AS n").Group("genre").Order("genre")
		g, err := pagination.Paginate[genreCount](grouped, pagination.PaginatedFilter{PageSize: 1, Page: 2})
		if err != nil {
			t.Fatal(err)
		}
		if g.Total != 2 || len(g.Items) != 1 || g.Items[0].Genre != "sf" || g.Items[0].N != 5 {
			t.Fatalf("group by: %+v", g)
		}
		// The same when scopes add the join, the DISTINCT or the GROUP BY.
		scoped := []struct {
			name  string
			scope func(*gorm.DB) *gorm.DB
			want  int64
		}{
			{"to-one join", func(d *gorm.DB) *gorm.DB { return d.Joins("Author").Where("books.author_id <> ?", 1) }, 6},
			{"distinct join", func(d *gorm.DB) *gorm.DB {
				return d.Distinct("books.author_id").Joins("JOIN authors ON authors.id = books.author_id")
			}, 5},
			{"group by", func(d *gorm.DB) *gorm.DB { return d.Select("genre, count(*) AS n").Group("genre") }, 2},
			{"where only", func(d *gorm.DB) *gorm.DB { return d.Where("genre = ?", "sf") }, 5},
		}
		for _, c := range scoped {
			p, err := pagination.Paginate[Book](db.Model(&Book{}).Scopes(c.scope), pagination.PaginatedFilter{PageSize: 1},
				pagination.WithCount(pagination.CountExact))
			if err != nil || p.Total != c.want {
				t.Fatalf("%s in a scope: total %d, %v; want %d", c.name, p.Total, err, c.want)
			}
		}
		// The count drops ORDER BY, LIMIT and OFFSET.
		log := capture(t, db)
		if _, err := pagination.Paginate[Author](db.Where("id > ?", 1).Order("name").Limit(3).Offset(2), pagination.PaginatedFilter{}); err != nil {
			t.Fatal(err)
		}
		count := strings.ToUpper(log.sql[len(log.sql)-2])
		if !strings.HasPrefix(count, "SELECT COUNT(*) FROM ") || strings.Contains(count, "ORDER BY") || strings.Contains(count, "LIMIT") || strings.Contains(count, "OFFSET") {
			t.Fatalf("count query: %s", count)
		}
		// A plain query is counted as GORM's Count counts it, without a
		// subquery; a joined or grouped one over a subquery.
		if strings.Contains(count, "(SELECT") {
			t.Fatalf("count of a plain query: %s", count)
		}
		if _, err := pagination.Paginate[Book](db.Model(&Book{}).Joins("Author").Order("books.id"), pagination.PaginatedFilter{}); err != nil {
			t.Fatal(err)
		}
		if count := strings.ToUpper(log.sql[len(log.sql)-2]); !strings.HasPrefix(count, "SELECT COUNT(*) FROM (SELECT") {
			t.Fatalf("count of a joined query: %s", count)
		}
		// A limit and offset already on the query are not counted.
		p, err = pagination.Paginate[Author](db.Order("id").Limit(1).Offset(5), pagination.PaginatedFilter{PageSize: 2})
		if err != nil || p.Total != 7 || !slices.Equal(authorIDs(p.Items), []int64{1, 2}) {
			t.Fatalf("limit on the query: %v %+v", err, p)
		}
	})
}

func TestPaginateDoesNotChangeTheQuery(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedBooks(t, db)
		q := db.Model(&Author{}).Where("id > ?", 2).Order("id DESC").Session(&gorm.Session{})
		if _, err := pagination.Paginate[Author](q, pagination.PaginatedFilter{PageSize: 2}); err != nil {
			t.Fatal(err)
		}
		var all []Author
		if err := q.Find(&all).Error; err != nil {
			t.Fatal(err)
		}
		if want := []int64{7, 6, 5, 4, 3}; !slices.Equal(authorIDs(all), want) {
			t.Fatalf("query after Paginate: %v, want %v", authorIDs(all), want)
		}
		// A query without a model does not get one.
		bare := db.Where("id > ?", 5)
		if _, err := pagination.Paginate[Author](bare, pagination.PaginatedFilter{}); err != nil {
			t.Fatal(err)
		}
		if _, err := pagination.PaginateCursor[Author](bare, []pagination.Order{{Column: "id"}}, pagination.CursorFilter{}); err != nil {
			t.Fatal(err)
		}
		if bare.Statement.Model != nil || len(bare.Statement.Clauses) != 1 {
			t.Fatalf("the caller's statement changed: model %v, clauses %v", bare.Statement.Model, bare.Statement.Clauses)
		}
	})
}

func TestPaginateCountModes(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedBooks(t, db)
		p, err := pagination.Paginate[Author](db.Order("id"), pagination.PaginatedFilter{PageSize: 2}, pagination.WithCount(pagination.CountNone))
		if err != nil || p.Total != -1 || p.TotalPages != -1 || len(p.Items) != 2 {
			t.Fatalf("CountNone: %v %+v", err, p)
		}
		if err := db.Exec("ANALYZE authors").Error; err != nil {
			t.Fatal(err)
		}
		p, err = pagination.Paginate[Author](db.Where("id > ?", 0).Order("id"), pagination.PaginatedFilter{PageSize: 2}, pagination.WithCount(pagination.CountEstimate))
		if err != nil || len(p.Items) != 2 || p.Total < 1 {
			t.Fatalf("CountEstimate: %v %+v", err, p)
		}
		if db.Dialector.Name() == "sqlite" && p.Total != 7 {
			t.Fatalf("CountEstimate on SQLite counts exactly: total %d, want 7", p.Total)
		}
	})
}

func TestPaginateRejects(t *testing.T) {
	cases := []struct {
		f    pagination.PaginatedFilter
		opts []pagination.Option
		msg  string
	}{
		{pagination.PaginatedFilter{Page: -1}, nil, "page: must be an integer ≥ 1 (got -1)"},
		{pagination.PaginatedFilter{PageSize: -5}, nil, "page_size: must be an integer from 1 to 100 (got -5)"},
		{pagination.PaginatedFilter{PageSize: 101}, nil, "page_size: must be an integer from 1 to 100 (got 101)"},
		{pagination.PaginatedFilter{PageSize: 11}, []pagination.Option{pagination.WithMaxPageSize(10)}, "from 1 to 10 (got 11)"},
		{pagination.PaginatedFilter{Page: math.MaxInt, PageSize: 100}, nil, "when page_size is 100"},
		{pagination.PaginatedFilter{Page: math.MinInt}, nil, "must be an integer ≥ 1"},
		{pagination.PaginatedFilter{Page: 51}, []pagination.Option{pagination.WithMaxPage(50)}, "page: must be an integer from 1 to 50 (got 51)"},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedBooks(t, db)
		for _, c := range cases {
			_, err := pagination.Paginate[Author](db, c.f, c.opts...)
			if !errors.Is(err, pagination.ErrInvalidPage) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%+v: err = %v, want ErrInvalidPage containing %q", c.f, err, c.msg)
			}
		}
	})
}
