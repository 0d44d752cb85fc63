package pagination_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// An empty order is rejected with ErrInvalidPage at every entry point, before
// any SQL is sent, never with a panic or a driver error.
func TestEmptyOrderRejected(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		items := seedItems(t, db, 5)
		key := pagination.WithCursorKey(testKey)
		good := pagination.SignCursor(testKey, "items", orders["b, id (row value)"], `"x"`, `1`)
		zero := pagination.SignCursor(testKey, "items", nil)
		log := capture(t, db)
		for _, order := range [][]pagination.Order{nil, {}} {
			cases := []struct {
				name string
				call func() error
			}{
				{"first page", func() error {
					_, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{}, key)
					return err
				}},
				{"after a cursor of another sort", func() error {
					_, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: good}, key)
					return err
				}},
				{"before a cursor with no values", func() error {
					_, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{Before: zero}, key)
					return err
				}},
				{"CursorOf", func() error {
					_, err := pagination.CursorOf(db, order, items[0], key)
					return err
				}},
				{"OrderBy", func() error {
					s, err := schemaOf(db, &Item{})
					if err != nil {
						return err
					}
					_, err = pagination.OrderBy(s, order)
					return err
				}},
			}
			for _, c := range cases {
				before := log.count()
				err := c.call()
				if !errors.Is(err, pagination.ErrInvalidPage) || !strings.Contains(err.Error(), "empty") {
					t.Errorf("%s, order %#v: err = %v, want ErrInvalidPage saying the order is empty", c.name, order, err)
				}
				if log.count() != before {
					t.Errorf("%s: SQL was sent: %s", c.name, log.last())
				}
			}
		}
	})
}

// A validly signed cursor whose values do not fit the sort is ErrInvalidPage:
// no values, too few, too many, values of the wrong type.
func TestCraftedCursorRejected(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seedItems(t, db, 5)
		key := pagination.WithCursorKey(testKey)
		order := orders["a nulls first, c desc, id"]
		sign := func(values ...string) string { return pagination.SignCursor(testKey, "items", order, values...) }
		if _, err := pagination.PaginateCursor[Item](db, order, pagination.CursorFilter{After: sign(`["i",1]`, `null`, `["i",2]`)}, key); err != nil {
			t.Fatalf("a well-formed crafted cursor is refused, so the cases below prove nothing: %v", err)
		}
		cases := map[string]string{
			"no values":          sign(),
			"too few values":     sign(`["i",1]`, `null`),
			"too many values":    sign(`["i",1]`, `null`, `["i",2]`, `["i",3]`),
			"far too many":       sign(slices.Repeat([]string{`["i",1]`}, 40)...),
			"text for int":       sign(`["s","1"]`, `null`, `["i",2]`),
			"float for int":      sign(`["i",1]`, `null`, `["f","2.5"]`),
			"int for time":       sign(`["i",1]`, `["i",7]`, `["i",2]`),
			"bytes for time":     sign(`["i",1]`, `["x","AAE="]`, `["i",2]`),
			"malformed time":     sign(`["i",1]`, `["t","yesterday"]`, `["i",2]`),
			"malformed float":    sign(`["i",1]`, `null`, `["f","two"]`),
			"unknown kind":       sign(`["q",1]`, `null`, `["i",2]`),
			"not a pair":         sign(`["i"]`, `null`, `["i",2]`),
			"bare number":        sign(`1`, `null`, `2`),
			"object":             sign(`{}`, `null`, `["i",2]`),
			"Go JSON of another": sign(`["g","x"]`, `null`, `["i",2]`),
			"another sort":       pagination.SignCursor(testKey, "items", orders["a nulls last, id"], `["i",1]`, `["i",2]`),
			"another table":      pagination.SignCursor(testKey, "books", order, `["i",1]`, `null`, `["i",2]`),
		}
		for name, cursor := range cases {
			for _, f := range []pagination.CursorFilter{{After: cursor}, {Before: cursor}} {
				_, err := pagination.PaginateCursor[Item](db, order, f, key)
				if !errors.Is(err, pagination.ErrInvalidPage) {
					t.Errorf("%s: err = %v, want ErrInvalidPage", name, err)
				}
			}
		}
	})
}

func (l *sqlLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sql)
}

func schemaOf(db *gorm.DB, model any) (*schema.Schema, error) {
	stmt := &gorm.Statement{DB: db}
	err := stmt.Parse(model)
	return stmt.Schema, err
}
