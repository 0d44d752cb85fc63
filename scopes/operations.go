package scopes

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/txctx"
)

// Sorting is the sort parameter of a filter struct: embed it so that
// ?sort=-created_at,name decodes into it.
type Sorting struct {
	Sort string `form:"sort" json:"sort,omitempty"`
}

// SortSpec returns the sort spec; through embedding it lets QueryOperations
// find the sort of any filter struct that embeds Sorting.
func (s Sorting) SortSpec() string { return s.Sort }

// Searching is the free-text search parameter of a filter struct: embed it
// so that ?q=term decodes into it, and list the columns to search in
// QueryOperations.SearchColumns.
type Searching struct {
	Q string `form:"q" json:"q,omitempty"`
}

// SearchTerm returns the search term.
func (s Searching) SearchTerm() string { return s.Q }

// QueryOperations is the read side of a repository for model T filtered by
// the filter struct F: configured once, used per request. Its zero value
// works (no sort fields allowed, primary-key order, default page sizes).
//
// Every method takes its session from txctx.DB(ctx), so it joins the
// transaction of the context when one is open (and, like txctx.DB, panics
// when no database is bound to ctx: a wiring mistake). Cancelling ctx
// cancels the queries.
//
// F is a filter struct for [Filter]; embedding [Sorting],
// [pagination.PaginatedFilter], [pagination.CursorFilter] and [Searching]
// gives it the sort, page, cursor and search parameters that the methods
// read. Decode fills it from a query string.
type QueryOperations[T, F any] struct {
	// SortFields are the column names clients may sort by: the model's
	// columns and "Assoc.column" for columns of belongs-to and has-one
	// associations (see Sort).
	SortFields []string
	// SortExprs are the declared expressions clients may sort by, by name
	// (see SortKeys and pagination.Expr).
	SortExprs []pagination.Expression
	// DefaultSort is the sort spec used when the filter has none; empty
	// means primary-key order.
	DefaultSort string
	// Base, when set, is applied to every query before the filters, e.g. a
	// tenant condition. Its conditions and the filters' are ANDed as
	// separate parenthesised groups, so no filter can widen it.
	Base func(*gorm.DB) *gorm.DB
	// SearchColumns are the columns the Searching term is matched in.
	SearchColumns []string
	// DefaultPageSize and MaxPageSize bound pages (defaults 20 and 100).
	DefaultPageSize, MaxPageSize int
	// MaxPage, when positive, rejects deeper offset pages (see
	// pagination.WithMaxPage): deep OFFSETs cost a scan of every skipped row.
	MaxPage int
	// Count says how Paginate computes the total (default exact).
	Count pagination.CountMode
	// CursorKey signs cursors; see pagination.WithCursorKey. Empty means a
	// random key per process.
	CursorKey []byte
	// CursorTTL, when positive, makes older cursors invalid.
	CursorTTL time.Duration
}

type (
	sortSpecer   interface{ SortSpec() string }
	pageFilterer interface {
		PageFilter() pagination.PaginatedFilter
	}
	cursorParamer interface {
		CursorParams() pagination.CursorFilter
	}
	searchTermer interface{ SearchTerm() string }
)

// ApplyFilters returns db with the base scope, the filters of f and its
// search term applied, as three parenthesised groups ANDed with whatever
// conditions db already has. It sorts nothing and pages nothing.
func (q *QueryOperations[T, F]) ApplyFilters(db *gorm.DB, f F) *gorm.DB {
	return db.Scopes(func(tx *gorm.DB) *gorm.DB {
		prior := takeWhere(tx)
		if q.Base != nil {
			tx = q.Base(tx) // it may return another instance: carry on with that one
		}
		if err := q.applyFilters(tx, f, prior); err != nil {
			_ = tx.AddError(err)
		}
		return tx
	})
}

func (q *QueryOperations[T, F]) applyFilters(tx *gorm.DB, f F, prior []clause.Expression) error {
	base := takeWhere(tx)
	filters, err := filterExprs(tx, f)
	if err != nil {
		return err
	}
	if st, ok := any(f).(searchTermer); ok {
		e, err := searchExpr(tx, st.SearchTerm(), q.SearchColumns)
		if err != nil {
			return err
		}
		if e != nil {
			filters = append(filters, e)
		}
	}
	var groups []clause.Expression
	for _, g := range [][]clause.Expression{prior, base, filters} {
		if len(g) > 0 {
			groups = append(groups, group(g))
		}
	}
	if len(groups) > 0 {
		tx.Statement.AddClause(clause.Where{Exprs: groups})
	}
	return nil
}

// takeWhere removes the statement's WHERE clause and returns its conditions.
func takeWhere(tx *gorm.DB) []clause.Expression {
	c, ok := tx.Statement.Clauses["WHERE"]
	delete(tx.Statement.Clauses, "WHERE")
	if !ok {
		return nil
	}
	if w, ok := c.Expression.(clause.Where); ok {
		return append([]clause.Expression(nil), w.Exprs...)
	}
	return nil
}

// query is the filtered query of T in ctx's session.
func (q *QueryOperations[T, F]) query(ctx context.Context, f F) *gorm.DB {
	return q.ApplyFilters(txctx.DB(ctx).Model(new(T)), f)
}

// sortSpec returns f's sort spec, or DefaultSort, and where it comes from.
func (q *QueryOperations[T, F]) sortSpec(f F) (sortSource, string) {
	if s, ok := any(f).(sortSpecer); ok && s.SortSpec() != "" {
		return clientSort, s.SortSpec()
	}
	return defaultSort, q.DefaultSort
}

// sort is the scope sorting by f's sort spec, or DefaultSort.
func (q *QueryOperations[T, F]) sort(f F) func(*gorm.DB) *gorm.DB {
	src, spec := q.sortSpec(f)
	return q.sortKeys().scope(src, spec)
}

// List returns every row of T that f selects, in f's sort order. Use it for
// bounded sets; Paginate and PaginateCursor for listings.
func (q *QueryOperations[T, F]) List(ctx context.Context, f F) ([]T, error) {
	items := make([]T, 0)
	err := q.query(ctx, f).Scopes(q.sort(f)).Find(&items).Error
	return items, err
}

// Paginate returns the offset page f asks for (see pagination.Paginate), in
// f's sort order. Filter and sort errors match ErrInvalidFilter, page
// errors pagination.ErrInvalidPage.
func (q *QueryOperations[T, F]) Paginate(ctx context.Context, f F) (pagination.Paginated[T], error) {
	var page pagination.PaginatedFilter
	if p, ok := any(f).(pageFilterer); ok {
		page = p.PageFilter()
	}
	db := q.query(ctx, f).Scopes(q.sort(f))
	return pagination.Paginate[T](db, page, q.options()...)
}

// PaginateCursor returns the keyset page f asks for (see
// pagination.PaginateCursor), in f's sort order.
func (q *QueryOperations[T, F]) PaginateCursor(ctx context.Context, f F) (pagination.CursorPage[T], error) {
	var cf pagination.CursorFilter
	if c, ok := any(f).(cursorParamer); ok {
		cf = c.CursorParams()
	}
	db := q.query(ctx, f)
	order, err := q.order(db, f)
	if err != nil {
		return pagination.CursorPage[T]{}, err
	}
	return pagination.PaginateCursor[T](db, order, cf, q.options()...)
}

// order parses f's sort against T's schema.
func (q *QueryOperations[T, F]) order(db *gorm.DB, f F) ([]pagination.Order, error) {
	probe := db.Session(&gorm.Session{NewDB: true}).Model(new(T))
	s, err := modelSchema(probe)
	if err != nil {
		return nil, err
	}
	src, spec := q.sortSpec(f)
	return q.sortKeys().parse(s, src, spec)
}

func (q *QueryOperations[T, F]) sortKeys() SortKeys {
	return SortKeys{Fields: q.SortFields, Exprs: q.SortExprs}
}

func (q *QueryOperations[T, F]) options() []pagination.Option {
	opts := []pagination.Option{pagination.WithCount(q.Count), pagination.WithCursorTTL(q.CursorTTL)}
	if q.MaxPageSize > 0 {
		opts = append(opts, pagination.WithMaxPageSize(q.MaxPageSize))
	}
	if q.MaxPage > 0 {
		opts = append(opts, pagination.WithMaxPage(q.MaxPage))
	}
	if q.DefaultPageSize > 0 {
		opts = append(opts, pagination.WithDefaultPageSize(q.DefaultPageSize))
	}
	if len(q.CursorKey) > 0 {
		opts = append(opts, pagination.WithCursorKey(q.CursorKey))
	}
	return opts
}
