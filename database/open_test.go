package database_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
)

func TestOpenRunsOnEveryConfiguredDatabase(t *testing.T) {
	type row struct {
		ID   int
		Name string
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&row{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&row{Name: "a"}).Error; err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := db.Model(&row{}).Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1", n, err)
		}
	})
}
