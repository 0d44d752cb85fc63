package hooks_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/wire"
)

// TestNoOpUpdateChangesNothing: an update that names no column to write
// sends no UPDATE, keeps Version and UpdatedAt (in the row and in memory) and
// reports 0 rows and no error, so a reader holding the row is not made
// stale by it.
func TestNoOpUpdateChangesNothing(t *testing.T) {
	c := newClock()
	for _, kind := range kindsOf(t) {
		t.Run(string(kind), func(t *testing.T) {
			db, w := openGORM(t, kind, gorm.Config{}, clockOpt(c))
			if err := db.AutoMigrate(&Doc{}); err != nil {
				t.Fatal(err)
			}
			paths := map[string]func(tx *gorm.DB, d *Doc) *gorm.DB{
				"Updates zero struct":  func(tx *gorm.DB, d *Doc) *gorm.DB { return tx.Model(d).Updates(Doc{}) },
				"Updates zero pointer": func(tx *gorm.DB, d *Doc) *gorm.DB { return tx.Model(d).Updates(&Doc{}) },
				"Updates empty map":    func(tx *gorm.DB, d *Doc) *gorm.DB { return tx.Model(d).Updates(map[string]any{}) },
				"Updates all omitted":  func(tx *gorm.DB, d *Doc) *gorm.DB { return tx.Model(d).Omit("title").Updates(Doc{Title: "x"}) },
				"UpdateColumns struct": func(tx *gorm.DB, d *Doc) *gorm.DB { return tx.Model(d).UpdateColumns(Doc{}) },
				"UpdateColumns map":    func(tx *gorm.DB, d *Doc) *gorm.DB { return tx.Model(d).UpdateColumns(map[string]any{}) },
				"statement-level":      func(tx *gorm.DB, _ *Doc) *gorm.DB { return tx.Model(&Doc{}).Where("1 = 1").Updates(Doc{}) },
				"no default transaction": func(tx *gorm.DB, d *Doc) *gorm.DB {
					return tx.Session(&gorm.Session{SkipDefaultTransaction: true}).Model(d).Updates(Doc{})
				},
			}
			for name, op := range paths {
				d := Doc{Title: "v1"}
				mustCreate(t, db, &d)
				before := d
				c.Advance(time.Second)
				mark := w.Mark()
				res := op(db, &d)
				if res.Error != nil || res.RowsAffected != 0 {
					t.Fatalf("%s: %d rows, %v; want 0 rows, no error", name, res.RowsAffected, res.Error)
				}
				// GORM's own transaction (BEGIN, COMMIT) is still sent, as
				// it is for an empty update without the plugin: the model's
				// BeforeUpdate hooks run inside it, and may make it a write.
				if sent := wire.Data(w.Since(mark)); len(sent) != 0 {
					t.Fatalf("%s sent %q", name, sent)
				}
				if d != before {
					t.Fatalf("%s changed the struct: %+v, was %+v", name, d, before)
				}
				var row struct {
					Version   int64
					UpdatedAt time.Time
				}
				if err := db.Raw("SELECT version, updated_at FROM docs WHERE id = ?", d.ID).Scan(&row).Error; err != nil {
					t.Fatal(err)
				}
				if row.Version != 1 || !row.UpdatedAt.Equal(before.UpdatedAt) {
					t.Fatalf("%s: stored version %d, updated_at %v; want 1, %v", name, row.Version, row.UpdatedAt, before.UpdatedAt)
				}
				// A reader holding the row still updates it.
				if err := db.Model(&before).Update("title", "v2").Error; err != nil || before.Version != 2 {
					t.Fatalf("%s: the next update: version %d, %v", name, before.Version, err)
				}
			}
		})
	}
}
