package pagination_test

import (
	"errors"
	"testing"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// fuzzKey signs the cursors of FuzzCursor; its corpus holds cursors signed
// with it.
var fuzzKey = pagination.WithCursorKey([]byte("fuzz key: thirty-two bytes long."))

// FuzzCursor: any After or Before value either pages correctly or fails
// with ErrInvalidPage; nothing panics and no other error escapes.
func FuzzCursor(f *testing.F) {
	db := testdb.Open(f, testdb.SQLite)
	seedItems(f, db, 30)
	order := orders["a nulls last, id"]
	p, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Limit: 4}, fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.NextCursor, false)
	f.Add(p.NextCursor, true)
	f.Add("", false)
	f.Add("eyJ2IjpbbnVsbCwxXSwidCI6MH0", true)
	f.Fuzz(func(t *testing.T, cursor string, backward bool) {
		cf := pagination.CursorFilter{After: cursor, Limit: 4}
		if backward {
			cf = pagination.CursorFilter{Before: cursor, Limit: 4}
		}
		page, err := pagination.PaginateCursor[Item](db, order, cf, fuzzKey)
		if err != nil {
			if !errors.Is(err, pagination.ErrInvalidPage) {
				t.Fatalf("cursor %q: error without ErrInvalidPage: %v", cursor, err)
			}
			return
		}
		if len(page.Items) > 4 {
			t.Fatalf("cursor %q: %d items", cursor, len(page.Items))
		}
	})
}
