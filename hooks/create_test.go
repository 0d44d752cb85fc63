package hooks_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
)

func TestCreateSetsIDAndTimestampsFromTheClock(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "hello"}
		mustCreate(t, db, &a)
		if a.ID == uuid.Nil || a.ID.Version() != 7 {
			t.Fatalf("ID = %v (version %d), want a UUIDv7", a.ID, a.ID.Version())
		}
		want := c.stored()
		if a.CreatedAt != want || a.UpdatedAt != want {
			t.Fatalf("CreatedAt, UpdatedAt = %v, %v; want %v", a.CreatedAt, a.UpdatedAt, want)
		}
		if a.CreatedAt.Location() != time.UTC {
			t.Fatalf("CreatedAt location = %v, want UTC", a.CreatedAt.Location())
		}
		var got Article
		if err := db.First(&got, "id = ?", a.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got != a {
			t.Fatalf("reloaded row differs:\n got %+v\nwant %+v", got, a)
		}
	})
}

func TestCreateKeepsPresetValuesNormalised(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		id := uuid.New()
		created := time.Date(2020, 1, 2, 3, 4, 5, 999999999, time.FixedZone("Y", -5*3600))
		a := Article{Title: "preset"}
		a.ID, a.CreatedAt = id, created
		mustCreate(t, db, &a)
		if a.ID != id {
			t.Fatalf("ID = %v, want the preset %v", a.ID, id)
		}
		if want := created.UTC().Truncate(time.Microsecond); a.CreatedAt != want {
			t.Fatalf("CreatedAt = %v, want %v", a.CreatedAt, want)
		}
		var got Article
		if err := db.First(&got, "id = ?", id).Error; err != nil {
			t.Fatal(err)
		}
		if got != a {
			t.Fatalf("reloaded row differs:\n got %+v\nwant %+v", got, a)
		}
	})
}

// TestTimestampRoundTripWithRealClock writes with time.Now (local zone,
// nanoseconds, monotonic reading) and compares the reloaded row with ==.
func TestTimestampRoundTripWithRealClock(t *testing.T) {
	run(t, nil, []any{&Article{}, &Note{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "now"}
		mustCreate(t, db, &a)
		var got Article
		if err := db.Take(&got, "id = ?", a.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got != a {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, a)
		}
		var list []*Article
		if err := db.Find(&list).Error; err != nil || len(list) != 1 || *list[0] != a {
			t.Fatalf("Find into []*Article = %+v, %v", list, err)
		}
		n := Note{Text: "x"}
		mustCreate(t, db, &n)
		if err := db.Delete(&n).Error; err != nil {
			t.Fatal(err)
		}
		var del Note
		if err := db.Unscoped().First(&del, "id = ?", n.ID).Error; err != nil {
			t.Fatal(err)
		}
		if !del.DeletedAt.Valid || del.DeletedAt.Time.Location() != time.UTC {
			t.Fatalf("DeletedAt = %+v, want a valid UTC time", del.DeletedAt)
		}
	})
}

func TestCreatePaths(t *testing.T) {
	c := newClock()
	type path struct {
		name   string
		create func(db *gorm.DB) ([]*Article, error)
	}
	paths := []path{
		{"slice", func(db *gorm.DB) ([]*Article, error) {
			rows := []Article{{Title: "a"}, {Title: "b"}}
			err := db.Create(&rows).Error
			return []*Article{&rows[0], &rows[1]}, err
		}},
		{"slice of pointers", func(db *gorm.DB) ([]*Article, error) {
			rows := []*Article{{Title: "a"}, {Title: "b"}}
			return rows, db.Create(&rows).Error
		}},
		{"slice by value", func(db *gorm.DB) ([]*Article, error) {
			rows := []Article{{Title: "a"}, {Title: "b"}}
			err := db.Create(rows).Error
			return []*Article{&rows[0], &rows[1]}, err
		}},
		{"array", func(db *gorm.DB) ([]*Article, error) {
			rows := [2]Article{{Title: "a"}, {Title: "b"}}
			err := db.Create(&rows).Error
			return []*Article{&rows[0], &rows[1]}, err
		}},
		{"CreateInBatches", func(db *gorm.DB) ([]*Article, error) {
			rows := []*Article{{Title: "a"}, {Title: "b"}, {Title: "c"}}
			return rows, db.CreateInBatches(&rows, 2).Error
		}},
		{"Save new", func(db *gorm.DB) ([]*Article, error) {
			a := &Article{Title: "a"}
			return []*Article{a}, db.Save(a).Error
		}},
		{"Save new with preset ID", func(db *gorm.DB) ([]*Article, error) {
			a := &Article{Title: "a"}
			a.ID = uuid.New()
			return []*Article{a}, db.Save(a).Error
		}},
		{"Save slice", func(db *gorm.DB) ([]*Article, error) {
			rows := []*Article{{Title: "a"}, {Title: "b"}}
			return rows, db.Save(&rows).Error
		}},
		{"OnConflict DoNothing", func(db *gorm.DB) ([]*Article, error) {
			a := &Article{Title: "a"}
			return []*Article{a}, db.Clauses(clause.OnConflict{DoNothing: true}).Create(a).Error
		}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
				rows, err := p.create(db)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range rows {
					if a.ID == uuid.Nil || a.CreatedAt != c.stored() || a.UpdatedAt != c.stored() {
						t.Fatalf("row not filled: %+v", a)
					}
					var got Article
					if err := db.First(&got, "id = ?", a.ID).Error; err != nil {
						t.Fatalf("reload %v: %v", a.ID, err)
					}
					if got != *a {
						t.Fatalf("reloaded row differs:\n got %+v\nwant %+v", got, *a)
					}
				}
			})
		})
	}
}

func TestCreateByValueStillFillsTheRow(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		if err := db.Create(Article{Title: "by value"}).Error; err != nil {
			t.Fatal(err)
		}
		var got Article
		if err := db.First(&got, "title = ?", "by value").Error; err != nil {
			t.Fatal(err)
		}
		if got.ID == uuid.Nil || got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
			t.Fatalf("row = %+v, want ID and timestamps", got)
		}
	})
}

func TestCreateFromMapAddsEntityColumnsWithoutChangingTheMap(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		m := map[string]any{"title": "from map"}
		if err := db.Model(&Article{}).Create(m).Error; err != nil {
			t.Fatal(err)
		}
		if len(m) != 1 {
			t.Fatalf("caller's map was changed: %v", m)
		}
		ms := []map[string]any{{"title": "m1"}, {"Title": "m2"}}
		if err := db.Model(&Article{}).Create(ms).Error; err != nil {
			t.Fatal(err)
		}
		if len(ms[0]) != 1 || len(ms[1]) != 1 {
			t.Fatalf("caller's maps were changed: %v", ms)
		}
		var got []Article
		if err := db.Order("title").Find(&got).Error; err != nil || len(got) != 3 {
			t.Fatalf("find = %d rows, %v", len(got), err)
		}
		for _, a := range got {
			if a.ID == uuid.Nil || a.CreatedAt != c.stored() || a.UpdatedAt != c.stored() {
				t.Fatalf("row not filled: %+v", a)
			}
		}
		err := db.Model(&Article{}).Create(map[string]any{"title": ""}).Error
		if !errors.Is(err, entities.ErrValidation) {
			t.Fatalf("map create with empty title: err = %v, want a validation error", err)
		}
	})
}

// TestTwoEmbeddedBasesAndOwnBeforeCreate is the GORM pitfall: a model with
// its own BeforeCreate and two embedded bases still gets both behaviours.
func TestTwoEmbeddedBasesAndOwnBeforeCreate(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Hooked{}}, func(t *testing.T, db *gorm.DB) {
		h := Hooked{Name: "n"}
		mustCreate(t, db, &h)
		if h.Name != "n+hook" {
			t.Fatalf("Name = %q: the model's own BeforeCreate did not run", h.Name)
		}
		if h.ID == uuid.Nil || h.CreatedAt != c.stored() || h.UpdatedAt != c.stored() {
			t.Fatalf("plugin behaviour missing: %+v", h)
		}
		var got Hooked
		if err := db.First(&got, "id = ?", h.ID).Error; err != nil || got != h {
			t.Fatalf("reload = %+v, %v; want %+v", got, err, h)
		}
	})
}

func TestUUIDv7IsMonotonic(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		rows := make([]*Article, 500)
		for i := range rows {
			rows[i] = &Article{Title: "t"}
		}
		if err := db.CreateInBatches(&rows, 100).Error; err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].ID.Version() != 7 || rows[i].ID.String() <= rows[i-1].ID.String() {
				t.Fatalf("IDs not increasing UUIDv7: %v then %v", rows[i-1].ID, rows[i].ID)
			}
		}
	})
}

func TestIDGeneratorOptions(t *testing.T) {
	run(t, []hooks.Option{hooks.WithUUIDv4()}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "v4"}
		mustCreate(t, db, &a)
		if a.ID.Version() != 4 {
			t.Fatalf("ID version = %d, want 4", a.ID.Version())
		}
	})
	fixed := uuid.MustParse("00000000-0000-4000-8000-000000000042")
	run(t, []hooks.Option{hooks.WithIDGenerator(func() (uuid.UUID, error) { return fixed, nil })}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "custom"}
		mustCreate(t, db, &a)
		if a.ID != fixed {
			t.Fatalf("ID = %v, want %v", a.ID, fixed)
		}
	})
	run(t, []hooks.Option{hooks.WithIDGenerator(func() (uuid.UUID, error) { return uuid.Nil, nil })}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		tx, rec := recording(db)
		if err := tx.Create(&Article{Title: "x"}).Error; err == nil {
			t.Fatal("a nil UUID from the generator was accepted")
		}
		assertNothingSent(t, rec)
	})
	boom := errors.New("no entropy")
	run(t, []hooks.Option{hooks.WithIDGenerator(func() (uuid.UUID, error) { return uuid.Nil, boom })}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		tx, rec := recording(db)
		err := tx.Create(&Article{Title: "x"}).Error
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the generator's error", err)
		}
		assertNothingSent(t, rec)
	})
}

func TestFirstOrCreateAndAssign(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		var a Article
		if err := db.Where(Article{Title: "first"}).FirstOrCreate(&a).Error; err != nil {
			t.Fatal(err)
		}
		if a.ID == uuid.Nil || a.CreatedAt != c.stored() {
			t.Fatalf("FirstOrCreate row not filled: %+v", a)
		}
		created := a.CreatedAt
		c.Advance(time.Minute)
		var b Article
		if err := db.Where(Article{Title: "first"}).Assign(Article{Body: "assigned"}).FirstOrCreate(&b).Error; err != nil {
			t.Fatal(err)
		}
		var got Article
		if err := db.First(&got, "id = ?", a.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got.Body != "assigned" || got.CreatedAt != created || got.UpdatedAt != c.stored() {
			t.Fatalf("after Assign: %+v", got)
		}
	})
}
