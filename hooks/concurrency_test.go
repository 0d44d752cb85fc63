package hooks_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TestConcurrentStatementsAcrossModels exercises the plan cache from many
// goroutines switching between models (run it with -race).
func TestConcurrentStatementsAcrossModels(t *testing.T) {
	run(t, nil, []any{&Article{}, &Doc{}, &Note{}, &lookalike{}}, func(t *testing.T, db *gorm.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					a := Article{Title: "t"}
					d := Doc{Title: "d"}
					n := Note{Text: "n"}
					l := lookalike{ID: uuid.New(), Title: "l"}
					for _, v := range []any{&a, &d, &n, &l} {
						if err := db.Create(v).Error; err != nil {
							errs <- err
							return
						}
					}
					if err := db.Model(&d).Update("title", "e").Error; err != nil {
						errs <- err
						return
					}
					if d.Version != 2 {
						errs <- fmt.Errorf("version after one update = %d, want 2", d.Version)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var n int64
		if err := db.Model(&Doc{}).Where("version = 2").Count(&n).Error; err != nil || n != 40 {
			t.Fatalf("docs at version 2 = %d, %v; want 40", n, err)
		}
	})
}
