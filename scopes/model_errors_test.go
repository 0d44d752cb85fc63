package scopes_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/scopes"
)

// A filter on a query whose only type is a destination that is no model
// (Table("...") with maps) is refused with advice, not GORM's parse error.
func TestFilterWithoutModelSaysWhatToUse(t *testing.T) {
	db := testdb.Open(t, testdb.SQLite, testdb.Plain()).Session(&gorm.Session{DryRun: true})
	title := "go"
	f := struct {
		Title *string `filter:"title"`
	}{Title: &title}
	for name, dest := range map[string]any{
		"maps":     &[]map[string]any{},
		"map":      &map[string]any{},
		"no model": nil,
	} {
		t.Run(name, func(t *testing.T) {
			q := db.Table("articles").Scopes(scopes.Filter(f))
			var err error
			if dest == nil {
				err = q.Find(nil).Error
			} else {
				err = q.Find(dest).Error
			}
			if !errors.Is(err, scopes.ErrInvalidFilter) {
				t.Fatalf("err = %v, want ErrInvalidFilter", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "db.Model(&T{})") || strings.Contains(msg, "unsupported data type") {
				t.Errorf("err = %q: want advice to use db.Model(&T{}), without GORM's parse error", msg)
			}
		})
	}
}
