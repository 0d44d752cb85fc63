package pagination_test

import (
	"bytes"
	"cmp"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// Blob sorts by byte-slice keys, which GORM would expand into one parameter
// per byte after a "(".
type Blob struct {
	ID    int64  `gorm:"primaryKey;autoIncrement:false"`
	Key   []byte `gorm:"not null"`
	Multi []byte `gorm:"not null"`
}

// A []byte sort key binds as one parameter in both the row-value and the
// OR-expanded predicate: walking every page returns every row once, in
// order, with one-byte keys (which once bound silently as a scalar) and
// longer ones (which once made the statement fail).
func TestCursorByteSliceKeys(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&Blob{}); err != nil {
			t.Fatal(err)
		}
		var rows []Blob
		for i := range int64(12) {
			rows = append(rows, Blob{ID: i + 1, Key: []byte{byte('a' + i%4)}, Multi: []byte{byte(i % 3), 0, byte(i)}})
		}
		if err := db.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		orders := map[string][]pagination.Order{
			"one byte, row value":      {{Column: "key"}, {Column: "id"}},
			"one byte desc, row value": {{Column: "key", Desc: true}, {Column: "id", Desc: true}},
			"three bytes, row value":   {{Column: "multi"}, {Column: "id"}},
			"mixed directions":         {{Column: "multi", Desc: true}, {Column: "id"}},
		}
		for name, order := range orders {
			t.Run(name, func(t *testing.T) {
				want := blobOrder(rows, order)
				for _, limit := range []int{1, 2, 5} {
					got := walkBlobs(t, db, order, limit)
					if !slices.Equal(got, want) {
						t.Fatalf("limit %d:\n got %v\nwant %v", limit, got, want)
					}
				}
			})
		}
	})
}

func blobOrder(rows []Blob, order []pagination.Order) []int64 {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(x, y Blob) int {
		for _, o := range order {
			var c int
			switch o.Column {
			case "key":
				c = bytes.Compare(x.Key, y.Key)
			case "multi":
				c = bytes.Compare(x.Multi, y.Multi)
			case "id":
				c = cmp.Compare(x.ID, y.ID)
			}
			if o.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	ids := make([]int64, len(sorted))
	for i, r := range sorted {
		ids[i] = r.ID
	}
	return ids
}

func walkBlobs(t *testing.T, db *gorm.DB, order []pagination.Order, limit int) []int64 {
	t.Helper()
	var got []int64
	f := pagination.CursorFilter{Limit: limit}
	for range 100 {
		p, err := pagination.PaginateCursor[Blob](db, order, f)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		for _, r := range p.Items {
			got = append(got, r.ID)
		}
		if !p.HasNext {
			return got
		}
		f.After = p.NextCursor
	}
	t.Fatal("the walk did not end")
	return nil
}
