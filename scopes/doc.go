// Package scopes turns client input into safe GORM scopes: filter structs,
// sort specs, free-text search and soft-delete switches, and the
// [QueryOperations] that combine them with the pages of package
// [github.com/gormext/gormext/pagination].
//
// A filter struct names its query parameters (form tags), its conditions
// (filter tags) and its rules (validate tags):
//
//	type ArticleFilter struct {
//		TitleIContains *string  `form:"title_icontains" filter:"title,icontains" validate:"omitempty,max=100"`
//		StatusIn       []string `form:"status_in" filter:"status,in"`
//		scopes.Sorting                 // sort=-created_at,title
//		pagination.PaginatedFilter     // page=2&page_size=50
//	}
//
//	var f ArticleFilter
//	if err := scopes.DecodeRequest(r, &f); err != nil { // 400 }
//	ops := scopes.QueryOperations[Article, ArticleFilter]{
//		SortFields: []string{"title", "created_at"}, DefaultSort: "-created_at",
//	}
//	page, err := ops.Paginate(ctx, f)
//
// This package is a security boundary: nothing a client sends reaches SQL
// except as a bound value or as a column name checked against the model's
// GORM schema and quoted by the dialect. Sort fields must be in an allowed
// list; text matches are literal (%, _ and \ are escaped); unknown
// parameters are rejected. Every rejection matches [ErrInvalidFilter] (page
// input [github.com/gormext/gormext/pagination.ErrInvalidPage]) and is
// surfaced on the query's Error before any SQL is sent.
//
// [Decode] reports each rejected query parameter as a [*ParamError] whose
// Param, Rule and Message (`age_gte: must be an integer ≥ 0 (got "-1")`)
// can go to the client as they are: they name the parameter and say what
// its value must be, never a Go type or field. So do the checks that run
// after decoding, on the client's values: [Sort] (`sort: unknown field
// "passwd" ...`), [Search], [Filter], and through [QueryOperations] the
// page size, page number and cursor checks of package pagination (the same
// type, as pagination.ParamError).
// Decode from the raw query string ([DecodeRequest], [DecodeQuery]):
// r.URL.Query() silently drops pairs holding an unencoded ";", which
// [Decode] then cannot refuse.
package scopes
