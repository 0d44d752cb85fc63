package hooks_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
)

func TestImmutableRefusesEveryUpdateAndDeleteBeforeSQL(t *testing.T) {
	run(t, nil, []any{&AuditLog{}}, func(t *testing.T, db *gorm.DB) {
		l := AuditLog{Action: "login"}
		mustCreate(t, db, &l)
		if l.ID == uuid.Nil || l.CreatedAt.IsZero() {
			t.Fatalf("immutable row not filled: %+v", l)
		}
		paths := map[string]func(tx *gorm.DB) error{
			"Save":           func(tx *gorm.DB) error { c := l; c.Action = "x"; return tx.Save(&c).Error },
			"Save slice":     func(tx *gorm.DB) error { return tx.Save(&[]AuditLog{l}).Error },
			"Updates struct": func(tx *gorm.DB) error { return tx.Model(&l).Updates(AuditLog{Action: "x"}).Error },
			"Updates map":    func(tx *gorm.DB) error { return tx.Model(&l).Updates(map[string]any{"action": "x"}).Error },
			"Update":         func(tx *gorm.DB) error { return tx.Model(&l).Update("action", "x").Error },
			"UpdateColumn":   func(tx *gorm.DB) error { return tx.Model(&l).UpdateColumn("action", "x").Error },
			"UpdateColumns":  func(tx *gorm.DB) error { return tx.Model(&l).UpdateColumns(map[string]any{"action": "x"}).Error },
			"statement Updates": func(tx *gorm.DB) error {
				return tx.Model(&AuditLog{}).Where("1 = 1").Updates(map[string]any{"action": "x"}).Error
			},
			"Delete":            func(tx *gorm.DB) error { return tx.Delete(&l).Error },
			"Delete by key":     func(tx *gorm.DB) error { return tx.Delete(&AuditLog{}, "id = ?", l.ID).Error },
			"Unscoped Delete":   func(tx *gorm.DB) error { return tx.Unscoped().Delete(&l).Error },
			"statement Delete":  func(tx *gorm.DB) error { return tx.Where("1 = 1").Delete(&AuditLog{}).Error },
			"Select(*) Updates": func(tx *gorm.DB) error { return tx.Model(&l).Select("*").Updates(&l).Error },
			"no default tx Update": func(tx *gorm.DB) error {
				return tx.Session(&gorm.Session{SkipDefaultTransaction: true}).Model(&l).Update("action", "x").Error
			},
		}
		for name, op := range paths {
			tx, rec := recording(db)
			err := op(tx)
			if !errors.Is(err, entities.ErrImmutable) {
				t.Fatalf("%s: err = %v, want ErrImmutable", name, err)
			}
			assertNothingSent(t, rec)
		}
		var got AuditLog
		if err := db.First(&got, "id = ?", l.ID).Error; err != nil || got != l {
			t.Fatalf("row = %+v, %v; want it unchanged %+v", got, err, l)
		}
	})
}

func TestVersionedEntity(t *testing.T) {
	run(t, nil, []any{&Doc{}}, func(t *testing.T, db *gorm.DB) {
		d := Doc{Title: "v1"}
		mustCreate(t, db, &d)
		if d.Version != 1 {
			t.Fatalf("Version after create = %d, want 1", d.Version)
		}
		stale := d
		if err := db.Model(&d).Update("title", "v2").Error; err != nil {
			t.Fatal(err)
		}
		if d.Version != 2 {
			t.Fatalf("Version in memory after update = %d, want 2", d.Version)
		}
		d.Title = "v3"
		if err := db.Save(&d).Error; err != nil || d.Version != 3 {
			t.Fatalf("Save: version %d, err %v; want 3", d.Version, err)
		}

		stale.Title = "lost update"
		for name, op := range map[string]func() error{
			"Save":         func() error { return db.Save(&stale).Error },
			"Updates":      func() error { return db.Model(&stale).Updates(Doc{Title: "x"}).Error },
			"Update":       func() error { return db.Model(&stale).Update("title", "x").Error },
			"UpdateColumn": func() error { return db.Model(&stale).UpdateColumn("title", "x").Error },
		} {
			err := op()
			var se *entities.StaleEntityError
			if !errors.Is(err, entities.ErrStaleEntity) || !errors.As(err, &se) {
				t.Fatalf("%s of stale copy: err = %v, want *StaleEntityError", name, err)
			}
			if se.Version != 1 || se.Table != "docs" || se.Model != "Doc" {
				t.Fatalf("%s: error = %+v", name, se)
			}
		}
		var got Doc
		if err := db.First(&got, "id = ?", d.ID).Error; err != nil || got != d {
			t.Fatalf("row = %+v, %v; want %+v (stale writes changed nothing)", got, err, d)
		}

		// A statement-level update has no version to check but bumps it.
		if err := db.Model(&Doc{}).Where("id = ?", d.ID).Update("title", "bulk").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&d).Update("title", "x").Error; !errors.Is(err, entities.ErrStaleEntity) {
			t.Fatalf("update after a bulk update: err = %v, want stale", err)
		}
		if err := db.First(&got, "id = ?", d.ID).Error; err != nil || got.Version != 4 || got.Title != "bulk" {
			t.Fatalf("row = %+v, %v; want version 4", got, err)
		}
	})
}

func TestVersionedSaveWithVersionZeroIsACreate(t *testing.T) {
	run(t, nil, []any{&Doc{}}, func(t *testing.T, db *gorm.DB) {
		fresh := Doc{Title: "new"}
		fresh.ID = uuid.New()
		if err := db.Save(&fresh).Error; err != nil {
			t.Fatalf("Save of a new versioned row with a preset ID: %v", err)
		}
		if fresh.Version != 1 {
			t.Fatalf("Version = %d, want 1", fresh.Version)
		}
		blind := Doc{Title: "blind overwrite"}
		blind.ID = fresh.ID
		err := db.Save(&blind).Error
		if !errors.Is(err, entities.ErrStaleEntity) {
			t.Fatalf("Save of version 0 over an existing row: err = %v, want stale", err)
		}
		if blind.Version != 0 {
			t.Fatalf("Version after failed Save = %d, want 0 as before", blind.Version)
		}
		var got Doc
		if err := db.First(&got, "id = ?", fresh.ID).Error; err != nil || got != fresh {
			t.Fatalf("row = %+v, %v; want it unchanged %+v", got, err, fresh)
		}
		// Save of a slice never overwrites a versioned row either, and rolls
		// back the rows it inserted.
		rows := []Doc{{Title: "other"}, blind}
		if err := db.Save(&rows).Error; !errors.Is(err, entities.ErrStaleEntity) {
			t.Fatalf("Save slice: err = %v, want stale", err)
		}
		var n int64
		if err := db.Model(&Doc{}).Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1 (the slice rolled back)", n, err)
		}
	})
}

// VersionedNote is soft-deletable and versioned.
type VersionedNote struct {
	entities.Entity
	entities.VersionedEntity
	entities.SoftDeletableEntity
	Text string
}

// TestRestoreVersionedReportsNotDeleted: a versioned row that is not
// deleted, or absent, is ErrNotDeleted for Restore, not a stale version
// (reloading would not help); a deleted row read at an older version is
// still stale.
func TestRestoreVersionedReportsNotDeleted(t *testing.T) {
	run(t, nil, []any{&VersionedNote{}}, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		n := VersionedNote{Text: "x"}
		mustCreate(t, db, &n)
		live := n
		if err := entities.Restore(ctx, db, &live); !errors.Is(err, entities.ErrNotDeleted) || errors.Is(err, entities.ErrStaleEntity) {
			t.Fatalf("Restore of a live row: err = %v, want ErrNotDeleted only", err)
		}
		ghost := VersionedNote{}
		ghost.ID, ghost.Version = uuid.New(), 1
		if err := entities.Restore(ctx, db, &ghost); !errors.Is(err, entities.ErrNotDeleted) || errors.Is(err, entities.ErrStaleEntity) {
			t.Fatalf("Restore of a missing row: err = %v, want ErrNotDeleted only", err)
		}
		old := n
		if err := db.Model(&n).Update("text", "y").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Delete(&n).Error; err != nil {
			t.Fatal(err)
		}
		if err := entities.Restore(ctx, db, &old); !errors.Is(err, entities.ErrStaleEntity) {
			t.Fatalf("Restore at an older version: err = %v, want ErrStaleEntity", err)
		}
		if err := entities.Restore(ctx, db, &n); err != nil {
			t.Fatalf("Restore at the current version: %v", err)
		}
		if err := entities.Restore(ctx, db, &n); !errors.Is(err, entities.ErrNotDeleted) {
			t.Fatalf("second Restore: err = %v, want ErrNotDeleted", err)
		}
	})
}

func TestRestoreSoftDeleted(t *testing.T) {
	c := newClock()
	run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Note{}}, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		n := Note{Text: "x"}
		mustCreate(t, db, &n)
		if err := entities.Restore(ctx, db, &n); !errors.Is(err, entities.ErrNotDeleted) {
			t.Fatalf("Restore of a live row: err = %v, want ErrNotDeleted", err)
		}
		if err := db.Delete(&n).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.First(&Note{}, "id = ?", n.ID).Error; !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("deleted row still found: %v", err)
		}
		c.Advance(time.Second)
		deleted := n
		if err := entities.Restore(ctx, db, &deleted); err != nil {
			t.Fatal(err)
		}
		var got Note
		if err := db.First(&got, "id = ?", n.ID).Error; err != nil {
			t.Fatalf("restored row not found: %v", err)
		}
		if got.DeletedAt.Valid || got.UpdatedAt != c.stored() || got.CreatedAt != n.CreatedAt {
			t.Fatalf("restored row = %+v", got)
		}
		ghost := Note{}
		ghost.ID = uuid.New()
		if err := entities.Restore(ctx, db, &ghost); !errors.Is(err, entities.ErrNotDeleted) {
			t.Fatalf("Restore of a missing row: err = %v, want ErrNotDeleted", err)
		}
		if err := entities.Restore(ctx, db, &Note{}); !errors.Is(err, gorm.ErrPrimaryKeyRequired) {
			t.Fatalf("Restore without a key: err = %v", err)
		}
		if err := entities.Restore(ctx, db, &Article{}); !errors.Is(err, gorm.ErrInvalidField) {
			t.Fatalf("Restore of a model without DeletedAt: err = %v", err)
		}
	})
}
