package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
)

// The plugin gives an entity its ID and timestamps and validates it before
// any SQL is sent. database.Open registers it; Config.Hooks passes options,
// here a fixed clock so that the output is stable.
func Example() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC) }
	db, err := database.Open(ctx, database.Config{
		URL:   "sqlite::memory:",
		Hooks: []hooks.Option{hooks.WithClock(clock)},
	})
	if err != nil {
		panic(err)
	}
	defer func() {
		sqlDB, _ := db.DB()
		_ = sqlDB.Close()
	}()

	type Article struct {
		entities.Entity
		Title string `validate:"required,max=200"`
	}
	if err := db.AutoMigrate(&Article{}); err != nil {
		panic(err)
	}

	a := Article{Title: "Hello"}
	if err := db.WithContext(ctx).Create(&a).Error; err != nil {
		panic(err)
	}
	fmt.Println("ID is a UUIDv7:", a.ID != uuid.Nil && a.ID.Version() == 7)
	fmt.Println("CreatedAt:", a.CreatedAt)
	fmt.Println("UpdatedAt == CreatedAt:", a.UpdatedAt == a.CreatedAt)

	err = db.WithContext(ctx).Create(&Article{}).Error
	fmt.Println(errors.Is(err, entities.ErrValidation))
	fmt.Println(err)
	// Output:
	// ID is a UUIDv7: true
	// CreatedAt: 2026-01-02 03:04:05.678901 +0000 UTC
	// UpdatedAt == CreatedAt: true
	// true
	// entities: validation failed: Article: Title (required)
}

// WithIDGenerator replaces the UUIDv7 default, for example with keys from
// another system; WithUUIDv4 selects random UUIDs.
func ExampleWithIDGenerator() {
	ctx := context.Background()
	next := uuid.MustParse("0190f7a0-0000-7000-8000-000000000001")
	db, err := database.Open(ctx, database.Config{
		URL:   "sqlite::memory:",
		Hooks: []hooks.Option{hooks.WithIDGenerator(func() (uuid.UUID, error) { return next, nil })},
	})
	if err != nil {
		panic(err)
	}
	defer func() {
		sqlDB, _ := db.DB()
		_ = sqlDB.Close()
	}()
	type Event struct {
		entities.ImmutableEntity
		Name string
	}
	if err := db.AutoMigrate(&Event{}); err != nil {
		panic(err)
	}
	e := Event{Name: "signed-up"}
	if err := db.WithContext(ctx).Create(&e).Error; err != nil {
		panic(err)
	}
	fmt.Println(e.ID)
	// Output:
	// 0190f7a0-0000-7000-8000-000000000001
}
