package pagination_test

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// Visit's times are shown in local mean time, whose offset from UTC has
// seconds (+00:19:32, Amsterdam's until 1937), as time.LoadLocation gives
// for historical dates.
type Visit struct {
	ID int64     `gorm:"primaryKey;autoIncrement:false"`
	At time.Time `gorm:"not null"`
}

var amsterdamMeanTime = time.FixedZone("AMT", 19*60+32)

func (v *Visit) AfterFind(*gorm.DB) error {
	v.At = v.At.In(amsterdamMeanTime)
	return nil
}

// TestCursorTimeOffsetWithSeconds: a sort on a time whose zone offset has
// seconds, which RFC 3339 cannot write, pages through every row once; so
// does paging on from CursorOf.
func TestCursorTimeOffsetWithSeconds(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&Visit{}); err != nil {
			t.Fatal(err)
		}
		base := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
		rows := make([]Visit, 12)
		want := make([]int64, len(rows))
		for i := range rows {
			rows[i] = Visit{ID: int64(i + 1), At: base.Add(time.Duration(i) * 10 * time.Second)}
			want[i] = rows[i].ID
		}
		if err := db.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		order := []pagination.Order{{Column: "at"}, {Column: "id"}}
		var got []int64
		f := pagination.CursorFilter{Limit: 3}
		for range 20 {
			p, err := pagination.PaginateCursor[Visit](db, order, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range p.Items {
				got = append(got, v.ID)
			}
			if !p.HasNext {
				break
			}
			f.After = p.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("walked %v, want %v", got, want)
		}
		var third Visit
		if err := db.First(&third, 3).Error; err != nil {
			t.Fatal(err)
		}
		c, err := pagination.CursorOf(db, order, third)
		if err != nil {
			t.Fatal(err)
		}
		p, err := pagination.PaginateCursor[Visit](db, order, pagination.CursorFilter{After: c, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		var next []int64
		for _, v := range p.Items {
			next = append(next, v.ID)
		}
		if !slices.Equal(next, want[3:6]) {
			t.Errorf("after CursorOf(row 3): %v, want %v", next, want[3:6])
		}
	})
}
