package hooks_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
)

// TestUpdatePathsWriteUpdatedAtAndNeverCreatedAt runs every update path
// and checks the row in the database: the value changed, UpdatedAt is the
// clock's new time, CreatedAt is untouched.
func TestUpdatePathsWriteUpdatedAtAndNeverCreatedAt(t *testing.T) {
	type path struct {
		name   string
		update func(db *gorm.DB, a *Article) error
		// touched is false where UpdatedAt must stay as created.
		untouched bool
	}
	paths := []path{
		{"Save", func(db *gorm.DB, a *Article) error {
			a.Title = "new"
			return db.Save(a).Error
		}, false},
		{"Save with zero CreatedAt", func(db *gorm.DB, a *Article) error {
			a.Title, a.CreatedAt = "new", time.Time{}
			return db.Save(a).Error
		}, false},
		{"Updates struct value", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Updates(Article{Title: "new"}).Error
		}, false},
		{"Updates struct pointer", func(db *gorm.DB, a *Article) error {
			a.Title = "new"
			return db.Model(a).Updates(a).Error
		}, false},
		{"Updates other struct", func(db *gorm.DB, a *Article) error {
			type form struct{ Title string }
			return db.Model(a).Updates(form{Title: "new"}).Error
		}, false},
		{"Updates map", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Updates(map[string]any{"title": "new"}).Error
		}, false},
		{"Updates map by field name", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Updates(map[string]any{"Title": "new"}).Error
		}, false},
		{"Update column", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Update("title", "new").Error
		}, false},
		{"statement-level Updates map", func(db *gorm.DB, a *Article) error {
			return db.Model(&Article{}).Where("id = ?", a.ID).Updates(map[string]any{"title": "new"}).Error
		}, false},
		{"statement-level Update", func(db *gorm.DB, a *Article) error {
			return db.Model(&Article{}).Where("id = ?", a.ID).Update("title", "new").Error
		}, false},
		{"Select restricts", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Select("title").Updates(Article{Title: "new", Body: "ignored"}).Error
		}, false},
		{"Select map", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Select("title").Updates(map[string]any{"title": "new", "body": "ignored"}).Error
		}, false},
		{"Omit updated_at", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Omit("updated_at").Updates(map[string]any{"title": "new"}).Error
		}, true},
		{"map sets created_at", func(db *gorm.DB, a *Article) error {
			return db.Model(a).Updates(map[string]any{"title": "new", "created_at": time.Unix(0, 0)}).Error
		}, false},
		{"UpdateColumn", func(db *gorm.DB, a *Article) error {
			return db.Model(a).UpdateColumn("title", "new").Error
		}, true},
		{"UpdateColumns map", func(db *gorm.DB, a *Article) error {
			return db.Model(a).UpdateColumns(map[string]any{"title": "new"}).Error
		}, true},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			c := newClock()
			run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
				a := Article{Title: "old", Body: "body"}
				mustCreate(t, db, &a)
				created := a.CreatedAt
				c.Advance(time.Hour)
				if err := p.update(db, &a); err != nil {
					t.Fatal(err)
				}
				var got Article
				if err := db.First(&got, "id = ?", a.ID).Error; err != nil {
					t.Fatal(err)
				}
				if got.Title != "new" || got.Body != "body" {
					t.Fatalf("row = %+v, want title new and body unchanged", got)
				}
				if got.CreatedAt != created {
					t.Fatalf("CreatedAt = %v, want %v (never written by an update)", got.CreatedAt, created)
				}
				want := c.stored()
				if p.untouched {
					want = created
				}
				if got.UpdatedAt != want {
					t.Fatalf("UpdatedAt = %v, want %v", got.UpdatedAt, want)
				}
				if !p.untouched && !strings.HasPrefix(p.name, "statement") && a.UpdatedAt != want {
					t.Fatalf("UpdatedAt in memory = %v, want %v", a.UpdatedAt, want)
				}
			})
		})
	}
}

func TestMapUpdateDoesNotChangeTheCallersMap(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "old"}
		mustCreate(t, db, &a)
		m := map[string]any{"title": "new"}
		if err := db.Model(&a).Updates(m).Error; err != nil {
			t.Fatal(err)
		}
		if len(m) != 1 || m["title"] != "new" {
			t.Fatalf("caller's map = %v", m)
		}
	})
}

func TestMapUpdateKeepsAnExplicitUpdatedAt(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "old"}
		mustCreate(t, db, &a)
		at := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
		if err := db.Model(&a).Updates(map[string]any{"title": "x", "updated_at": at}).Error; err != nil {
			t.Fatal(err)
		}
		var got Article
		if err := db.First(&got, "id = ?", a.ID).Error; err != nil || got.UpdatedAt != at {
			t.Fatalf("UpdatedAt = %v, %v; want the explicit %v", got.UpdatedAt, err, at)
		}
	})
}

func TestUpdateValidatesWhatIsWritten(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "ok"}
		mustCreate(t, db, &a)
		refused := map[string]func(tx *gorm.DB) error{
			"Save":           func(tx *gorm.DB) error { b := a; b.Title = ""; return tx.Save(&b).Error },
			"Updates map":    func(tx *gorm.DB) error { return tx.Model(&a).Updates(map[string]any{"email": "not-an-email"}).Error },
			"Update":         func(tx *gorm.DB) error { return tx.Model(&a).Update("title", "").Error },
			"Updates struct": func(tx *gorm.DB) error { return tx.Model(&a).Updates(Article{Email: "bad"}).Error },
			"Select zero":    func(tx *gorm.DB) error { return tx.Model(&a).Select("title").Updates(Article{}).Error },
			"statement map": func(tx *gorm.DB) error {
				return tx.Model(&Article{}).Where("id = ?", a.ID).Updates(map[string]any{"title": strings.Repeat("x", 201)}).Error
			},
		}
		for name, update := range refused {
			tx, rec := recording(db)
			err := update(tx)
			if !errors.Is(err, entities.ErrValidation) {
				t.Fatalf("%s: err = %v, want ErrValidation", name, err)
			}
			var fields validator.ValidationErrors
			if !errors.As(err, &fields) || len(fields) != 1 {
				t.Fatalf("%s: err = %v, want one failing field", name, err)
			}
			assertNothingSent(t, rec)
		}
		// Only the changed fields are validated: a statement-level update
		// of Body passes although the zero model has no Title.
		if err := db.Model(&Article{}).Where("id = ?", a.ID).Updates(map[string]any{"body": "fine"}).Error; err != nil {
			t.Fatalf("partial map update: %v", err)
		}
		if err := db.Model(&Article{}).Where("id = ?", a.ID).Updates(Article{Body: "fine too"}).Error; err != nil {
			t.Fatalf("partial struct update: %v", err)
		}
		// SQL expressions are not validated.
		if err := db.Model(&a).Update("title", gorm.Expr("title || ?", "!")).Error; err != nil {
			t.Fatalf("expression update: %v", err)
		}
		// UpdateColumn keeps GORM's meaning: no validation.
		if err := db.Model(&a).UpdateColumn("email", "not-validated").Error; err != nil {
			t.Fatalf("UpdateColumn: %v", err)
		}
		var got Article
		if err := db.First(&got, "id = ?", a.ID).Error; err != nil || got.Title != "ok!" || got.Email != "not-validated" || got.Body != "fine too" {
			t.Fatalf("row = %+v, %v", got, err)
		}
	})
}

func TestSaveOfExistingRowKeepsCreatedAtAndValidates(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		rows := []*Article{{Title: "a"}, {Title: "b"}}
		mustCreate(t, db, &rows)
		created := rows[0].CreatedAt
		c.Advance(time.Minute)
		rows[0].Title, rows[0].CreatedAt = "a2", time.Time{}
		rows = append(rows, &Article{Title: "c"})
		if err := db.Save(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var got []Article
		if err := db.Order("title").Find(&got).Error; err != nil || len(got) != 3 {
			t.Fatalf("find: %d rows, %v", len(got), err)
		}
		if got[0].Title != "a2" || got[0].CreatedAt != created || got[0].UpdatedAt != c.stored() {
			t.Fatalf("saved row = %+v; want CreatedAt %v kept, UpdatedAt %v", got[0], created, c.stored())
		}
		if got[2].Title != "c" || got[2].CreatedAt != c.stored() {
			t.Fatalf("new row = %+v", got[2])
		}
	})
}

// TestSaveOverSoftDeletedRowKeepsCreatedAt: Save with a preset ID whose row
// is soft-deleted updates nothing (GORM adds deleted_at IS NULL) and falls
// back to an upsert; the upsert must not overwrite CreatedAt.
func TestSaveOverSoftDeletedRowKeepsCreatedAt(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Note{}}, func(t *testing.T, db *gorm.DB) {
		n := Note{Text: "a"}
		mustCreate(t, db, &n)
		created := n.CreatedAt
		if err := db.Delete(&n).Error; err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Hour)
		again := Note{Text: "b"}
		again.ID = n.ID
		if err := db.Save(&again).Error; err != nil {
			t.Fatal(err)
		}
		var got Note
		if err := db.Unscoped().First(&got, "id = ?", n.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got.Text != "b" || got.CreatedAt != created || got.UpdatedAt != c.stored() {
			t.Fatalf("row = %+v; want text b, CreatedAt %v kept, UpdatedAt %v", got, created, c.stored())
		}
	})
}

// TestUpdateHookMethodChangesAreWritten: the SET clause is built after the
// model's BeforeUpdate, so what the hook changes is written.
func TestUpdateHookMethodChangesAreWritten(t *testing.T) {
	run(t, nil, []any{&Slugged{}}, func(t *testing.T, db *gorm.DB) {
		s := Slugged{Title: "Hello World"}
		mustCreate(t, db, &s)
		s.Title = "Second Title"
		if err := db.Save(&s).Error; err != nil {
			t.Fatal(err)
		}
		var got Slugged
		if err := db.First(&got, "id = ?", s.ID).Error; err != nil || got.Slug != "second-title" || got != s {
			t.Fatalf("row = %+v, %v; want slug second-title and equal to %+v", got, err, s)
		}
	})
}

// Slugged sets its slug in BeforeSave.
type Slugged struct {
	entities.Entity
	Title string
	Slug  string
}

func (s *Slugged) BeforeSave(*gorm.DB) error {
	s.Slug = strings.ToLower(strings.ReplaceAll(s.Title, " ", "-"))
	return nil
}

// TestEmptyUpdatesSendNothingLikeGORM: with nothing to write, GORM sends no
// UPDATE and reports no error; UpdateColumns keeps that.
func TestEmptyUpdatesSendNothingLikeGORM(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "t"}
		mustCreate(t, db, &a)
		tx, rec := recording(db.Session(&gorm.Session{SkipDefaultTransaction: true}))
		res := tx.Model(&a).UpdateColumns(map[string]any{})
		if res.Error != nil || res.RowsAffected != 0 {
			t.Fatalf("UpdateColumns(empty) = %d rows, %v", res.RowsAffected, res.Error)
		}
		assertNothingSent(t, rec)
	})
}

// Counter has a GORM auto-update field of its own beside the entity's.
type Counter struct {
	entities.Entity
	N        int
	SyncedAt int64 `gorm:"autoUpdateTime:milli"`
}

// TestUpsertKeepsTheModelsOwnAutoUpdateFields: Save of a slice rewrites
// GORM's upsert without CreatedAt; the model's own autoUpdateTime field
// must still be refreshed as GORM does.
func TestUpsertKeepsTheModelsOwnAutoUpdateFields(t *testing.T) {
	run(t, nil, []any{&Counter{}}, func(t *testing.T, db *gorm.DB) {
		rows := []Counter{{N: 1}}
		mustCreate(t, db, &rows)
		created := rows[0].CreatedAt
		if err := db.Model(&Counter{}).Where("id = ?", rows[0].ID).UpdateColumn("synced_at", 1).Error; err != nil {
			t.Fatal(err)
		}
		rows[0].N = 2
		if err := db.Save(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var got Counter
		if err := db.First(&got, "id = ?", rows[0].ID).Error; err != nil {
			t.Fatal(err)
		}
		if got.N != 2 || got.SyncedAt <= 1 || got.CreatedAt != created {
			t.Fatalf("row = %+v; want N 2, SyncedAt refreshed, CreatedAt %v", got, created)
		}
	})
}
