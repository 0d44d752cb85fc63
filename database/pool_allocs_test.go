package database

import (
	"context"
	"testing"

	"gorm.io/gorm"
)

// TestPoolAllocations: a statement through the pool that bounds the wait
// allocates at most two objects more than the same statement on the
// *sql.DB itself, on each database, for each kind of call, with a context
// that can be cancelled (the case that costs the most).
func TestPoolAllocations(t *testing.T) {
	calls := map[string]func(db *gorm.DB) error{
		"First": func(db *gorm.DB) error { var r benchRow; return db.First(&r, 1).Error },
		"Exec": func(db *gorm.DB) error {
			return db.Exec("UPDATE " + db.Statement.Table + " SET n = n + 1 WHERE id = 1").Error
		},
		"Create": func(db *gorm.DB) error { return db.Create(&benchRow{Name: "b", N: 2}).Error },
		"Transaction": func(db *gorm.DB) error {
			return db.Transaction(func(tx *gorm.DB) error {
				return tx.Model(&benchRow{}).Where("id = ?", 1).Update("n", 2).Error
			})
		},
		"Row": func(db *gorm.DB) error { var n int; return db.Raw("SELECT 1").Row().Scan(&n) },
	}
	for kind, url := range benchURLs() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		plain := openBench(t, url, false).WithContext(ctx)
		bounded := openBench(t, url, true).WithContext(ctx)
		for name, call := range calls {
			t.Run(kind+"/"+name, func(t *testing.T) {
				base, got := allocsOf(t, plain, call), allocsOf(t, bounded, call)
				if got > base+2 {
					t.Errorf("%.0f allocations through the pool, %.0f on the *sql.DB: more than 2 extra", got, base)
				}
			})
		}
	}
}

func allocsOf(t *testing.T, db *gorm.DB, call func(*gorm.DB) error) float64 {
	t.Helper()
	var err error
	n := testing.AllocsPerRun(50, func() {
		if e := call(db); e != nil {
			err = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
