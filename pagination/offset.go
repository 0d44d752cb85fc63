package pagination

import (
	"math"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PaginatedFilter is the page request of an offset listing. Embed it in a
// filter struct so that ?page=2&page_size=50 decodes into it. Page is
// 1-based; zero values mean the defaults (page 1, the default page size).
type PaginatedFilter struct {
	Page     int `form:"page" json:"page"`
	PageSize int `form:"page_size" json:"page_size"`
}

// PageFilter returns f itself; through embedding it lets generic code find
// the page request of any filter struct that embeds PaginatedFilter.
func (f PaginatedFilter) PageFilter() PaginatedFilter { return f }

// Paginated is one page of an offset listing.
type Paginated[T any] struct {
	Items      []T   `json:"items"`
	Total      int64 `json:"total"`
	Page       int   `json:"page"`
	PageSize   int   `json:"page_size"`
	TotalPages int   `json:"total_pages"`
}

// normalize applies the defaults and rejects out-of-range values.
func (f PaginatedFilter) normalize(c config) (PaginatedFilter, error) {
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PageSize == 0 {
		f.PageSize = c.defaultSize
	}
	if f.Page < 1 || c.maxPage > 0 && f.Page > c.maxPage {
		return f, c.errPage(f.Page)
	}
	if f.PageSize < 1 || f.PageSize > c.maxSize {
		return f, rejectRange("page_size", f.PageSize, c.maxSize)
	}
	if f.Page-1 > math.MaxInt/f.PageSize {
		return f, rejectParam("page", "max", "must be an integer from 1 to %d when page_size is %d (got %d)",
			math.MaxInt/f.PageSize+1, f.PageSize, f.Page)
	}
	return f, nil
}

// errPage is the error of a page number below 1 or above the maximum page.
func (c config) errPage(page int) error {
	if c.maxPage > 0 {
		return rejectRange("page", page, c.maxPage)
	}
	return rejectParam("page", "gte", "must be an integer ≥ 1 (got %d)", page)
}

func (f PaginatedFilter) offset() int { return (f.Page - 1) * f.PageSize }

// Paginate returns page f of the rows db selects, with the total count.
//
// db is the query to page: its model, conditions, joins, GROUP BY, DISTINCT
// and ORDER BY are kept; its LIMIT and OFFSET are replaced. Without a model
// on db, T is the model. db itself is not changed. Sort the query on a
// unique key (scopes.Sort appends the primary key) or rows may repeat or be
// skipped between pages.
//
// The total is the number of rows the query yields over all pages: with
// joins, GROUP BY, DISTINCT or a custom SELECT it is counted over the query
// as a subquery, so a to-many join made DISTINCT is not counted twice and a
// grouped query counts its groups. A page past the end has no items and the
// same total. See [WithCount] to skip or estimate the count.
//
// A page below 1 or above the maximum page (see WithMaxPage; none by
// default), a page size below 1 or above the maximum (default 100) is
// rejected with ErrInvalidPage, as a [*ParamError] naming "page" or
// "page_size"; zero values take the defaults.
func Paginate[T any](db *gorm.DB, f PaginatedFilter, opts ...Option) (Paginated[T], error) {
	c := newConfig(opts)
	f, err := f.normalize(c)
	if err != nil {
		return Paginated[T]{}, err
	}
	if db.Error != nil {
		return Paginated[T]{}, db.Error
	}
	model := modelOf[T](db)
	total, err := count(db, c.count, model)
	if err != nil {
		return Paginated[T]{}, err
	}
	items := make([]T, 0, f.PageSize)
	if total != 0 || c.count != CountExact {
		err = window(db, f.PageSize, f.offset(), model).Find(&items).Error
	}
	if err != nil {
		return Paginated[T]{}, err
	}
	return Paginated[T]{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize, TotalPages: totalPages(total, f.PageSize)}, nil
}

// modelOf returns the model Paginate gives the statements it derives from
// db: nil when db has a model or a table, else a new T. The derived
// statements are copies made anyway (see unpaged and window), so setting
// the model on them costs no copy of db of its own.
func modelOf[T any](db *gorm.DB) any {
	if db.Statement.Model != nil || db.Statement.Table != "" || db.Statement.TableExpr != nil {
		return nil
	}
	return new(T)
}

// adopt sets model as tx's model when model is not nil. tx must hold a
// statement of its own (one a chain method has cloned).
func adopt(tx *gorm.DB, model any) *gorm.DB {
	if model != nil {
		tx.Statement.Model = model
	}
	return tx
}

func totalPages(total int64, size int) int {
	if total < 0 {
		return -1
	}
	return int((total + int64(size) - 1) / int64(size))
}

// window returns a copy of db whose statement selects limit rows from
// offset, whatever LIMIT and OFFSET db had (GORM merges a zero Offset with
// an earlier one, so they are replaced rather than added), with model as
// its model when not nil.
func window(db *gorm.DB, limit, offset int, model any) *gorm.DB {
	tx := db.Session(&gorm.Session{}).Scopes(func(d *gorm.DB) *gorm.DB { // clones the statement
		setWindow(d, limit, offset)
		return d
	})
	return adopt(tx, model)
}

// setWindow makes d's statement select limit rows from offset: the clause
// that delete and AddClause would leave (a LIMIT clause is unnamed; see
// clause.Limit.MergeClause), set at once.
func setWindow(d *gorm.DB, limit, offset int) {
	d.Statement.Clauses["LIMIT"] = clause.Clause{Expression: clause.Limit{Limit: &limit, Offset: offset}}
}
