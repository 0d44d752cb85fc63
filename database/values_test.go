package database_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

type valuesRow struct {
	ID    int64
	Email string `gorm:"uniqueIndex"`
}

// TestErrorWithoutValues checks that the message of a failed statement
// keeps no value once passed through ErrorWithoutValues: a unique
// violation (whose driver detail quotes the value, but not its message) on
// both databases, and a PostgreSQL data exception, whose message quotes it.
func TestErrorWithoutValues(t *testing.T) {
	if got := database.ErrorWithoutValues(nil); got != "" {
		t.Errorf("ErrorWithoutValues(nil) = %q, want empty", got)
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		const secret = "alice.secret@example.com"
		if err := db.AutoMigrate(&valuesRow{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&valuesRow{Email: secret}).Error; err != nil {
			t.Fatal(err)
		}
		err := db.Create(&valuesRow{Email: secret}).Error
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Fatalf("second insert: err = %v, want a unique violation", err)
		}
		if got := database.ErrorWithoutValues(err); got != err.Error() || strings.Contains(got, secret) {
			t.Errorf("unique violation: got %q, want the unchanged message %q without the value", got, err.Error())
		}
		if db.Dialector.Name() != "postgres" {
			return
		}
		var n int
		err = db.Raw("SELECT ?::int", secret).Scan(&n).Error
		if err == nil || !strings.Contains(err.Error(), secret) {
			t.Fatalf("data exception: err = %v, want PostgreSQL's message quoting the value", err)
		}
		got := database.ErrorWithoutValues(err)
		if strings.Contains(got, secret) || !strings.Contains(got, "message withheld") || !strings.Contains(got, "22P02") {
			t.Errorf("data exception: got %q, want the value withheld and the SQLSTATE kept", got)
		}
	})
}
