// Package pagination pages GORM queries two ways: by offset, with a total
// count, and by keyset, with opaque signed cursors.
//
// Offset pages suit listings with page numbers:
//
//	page, err := pagination.Paginate[Article](db.Order("id"), pagination.PaginatedFilter{Page: 2, PageSize: 50})
//	// page.Items, page.Total, page.TotalPages
//
// Keyset pages suit deep or endless listings: each page costs about as much
// as the first, and rows inserted meanwhile do not shift later pages.
//
//	order := []pagination.Order{{Column: "created_at", Desc: true}, {Column: "id", Desc: true}}
//	page, err := pagination.PaginateCursor[Article](db, order, pagination.CursorFilter{After: next})
//	// page.Items, page.NextCursor, page.PrevCursor
//
// Usually both are reached through [github.com/gormext/gormext/scopes.QueryOperations],
// which checks the client's sort spec and builds the order.
//
// The traps this package closes:
//
//   - Page input is rejected, never clamped: a page below 1, a size below 1 or
//     above the maximum is [ErrInvalidPage], and a [*ParamError] whose
//     Param, Rule and Message name the parameter for the client.
//   - The total counts what the query yields, also with joins, GROUP BY and
//     DISTINCT (it counts over a subquery), and a page past the end keeps it.
//     [WithCount] switches the count off or, on PostgreSQL, reads the
//     planner's estimate.
//   - Keyset order places NULLs explicitly (last, by default) and the keyset
//     predicate follows it, so no row with a NULL sort value is skipped.
//   - Cursors are HMAC-signed and bound to the table and the sort: a client
//     cannot forge one to read other rows or inject values. Configure the key
//     with [WithCursorKey]; without one a random key is made per process.
package pagination
