package entities_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
)

// open is the examples' database: in-memory SQLite with the hooks plugin
// on a fixed clock, and SQL logging silenced.
func open() *gorm.DB {
	clock := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	db, err := database.Open(context.Background(), database.Config{
		URL:    "sqlite::memory:",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Hooks:  []hooks.Option{hooks.WithClock(clock)},
	})
	if err != nil {
		panic(err)
	}
	return db
}

func closeDB(db *gorm.DB) {
	sqlDB, _ := db.DB()
	_ = sqlDB.Close()
}

// A VersionedEntity refuses an update based on a stale copy.
func ExampleVersionedEntity() {
	db := open()
	defer closeDB(db)
	type Doc struct {
		entities.Entity
		entities.VersionedEntity
		Title string
	}
	if err := db.AutoMigrate(&Doc{}); err != nil {
		panic(err)
	}
	d := Doc{Title: "draft"}
	db.Create(&d)
	stale := d

	db.Model(&d).Update("title", "final")
	fmt.Println("version after update:", d.Version)

	err := db.Model(&stale).Update("title", "lost update").Error
	var se *entities.StaleEntityError
	fmt.Println(errors.Is(err, entities.ErrStaleEntity), errors.As(err, &se), se.Version)
	// Output:
	// version after update: 2
	// true true 1
}

// An ImmutableEntity can be created but never changed or deleted; the
// refusal comes before any SQL is sent.
func ExampleImmutableEntity() {
	db := open()
	defer closeDB(db)
	type AuditLog struct {
		entities.ImmutableEntity
		Action string
	}
	if err := db.AutoMigrate(&AuditLog{}); err != nil {
		panic(err)
	}
	l := AuditLog{Action: "login"}
	fmt.Println(db.Create(&l).Error)
	fmt.Println(errors.Is(db.Model(&l).Update("action", "logout").Error, entities.ErrImmutable))
	fmt.Println(db.Delete(&l).Error)
	// Output:
	// <nil>
	// true
	// entities: entity is immutable: rows can be created but never updated or deleted: cannot delete AuditLog (table audit_logs); write a new row instead
}

// Restore brings a soft-deleted row back.
func ExampleRestore() {
	db := open()
	defer closeDB(db)
	ctx := context.Background()
	type Note struct {
		entities.Entity
		entities.SoftDeletableEntity
		Text string
	}
	if err := db.AutoMigrate(&Note{}); err != nil {
		panic(err)
	}
	n := Note{Text: "remember"}
	db.Create(&n)
	db.Delete(&n)
	fmt.Println(db.First(&Note{}, "id = ?", n.ID).Error)

	fmt.Println(entities.Restore(ctx, db, &n))
	fmt.Println(db.First(&Note{}, "id = ?", n.ID).Error)
	fmt.Println(errors.Is(entities.Restore(ctx, db, &n), entities.ErrNotDeleted))
	// Output:
	// record not found
	// <nil>
	// <nil>
	// true
}
