package hooks_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/internal/wire"
)

// TestSkipDefaultTransactionKeepsEveryBehaviour: with default transactions
// off, GORM leaves gorm:begin_transaction out of its chains. The plugin must
// still fill a row before its INSERT, and refuse before any SQL.
func TestSkipDefaultTransactionKeepsEveryBehaviour(t *testing.T) {
	levels := map[string]func(kind testdb.Kind) (*gorm.DB, *wire.Recorder){
		"config": func(kind testdb.Kind) (*gorm.DB, *wire.Recorder) {
			return openGORM(t, kind, gorm.Config{SkipDefaultTransaction: true})
		},
		"session": func(kind testdb.Kind) (*gorm.DB, *wire.Recorder) {
			db, w := openGORM(t, kind, gorm.Config{})
			return db.Session(&gorm.Session{SkipDefaultTransaction: true}), w
		},
	}
	for _, kind := range testdb.Kinds() {
		for level, open := range levels {
			t.Run(string(kind)+"/"+level, func(t *testing.T) {
				db, w := open(kind)
				if err := db.AutoMigrate(&Article{}, &AuditLog{}); err != nil {
					t.Fatal(err)
				}
				a := Article{Title: "first"}
				mark := w.Mark()
				mustCreate(t, db, &a)
				var stored struct {
					ID        string
					CreatedAt string
				}
				if err := db.Raw("SELECT CAST(id AS TEXT) AS id, CAST(created_at AS TEXT) AS created_at FROM articles").Scan(&stored).Error; err != nil {
					t.Fatal(err)
				}
				if stored.ID != a.ID.String() || a.ID == uuid.Nil || a.CreatedAt.IsZero() {
					t.Fatalf("stored id %q created %q; struct %+v; sent %q", stored.ID, stored.CreatedAt, a, w.Since(mark))
				}

				mark = w.Mark()
				err := db.Create(&Article{Title: ""}).Error
				if !errors.Is(err, entities.ErrValidation) {
					t.Fatalf("invalid create: err = %v, want ErrValidation", err)
				}
				if sent := w.Since(mark); len(sent) != 0 {
					t.Fatalf("invalid create sent %q", sent)
				}

				l := AuditLog{Action: "login"}
				mustCreate(t, db, &l)
				mark = w.Mark()
				if err := db.Delete(&l).Error; !errors.Is(err, entities.ErrImmutable) {
					t.Fatalf("delete of an immutable row: err = %v, want ErrImmutable", err)
				}
				if sent := w.Since(mark); len(sent) != 0 {
					t.Fatalf("refused delete sent %s", strings.Join(sent, "; "))
				}
				var n int64
				if err := db.Raw("SELECT COUNT(*) FROM audit_logs").Scan(&n).Error; err != nil || n != 1 {
					t.Fatalf("audit rows = %d, %v; want 1 (the refused delete must not delete)", n, err)
				}
			})
		}
	}
}
