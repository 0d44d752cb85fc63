package database_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

func ExampleOpen() {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer database.Close(db)

	type Note struct {
		ID   int64
		Text string
	}
	if err := db.AutoMigrate(&Note{}); err != nil {
		fmt.Println(err)
		return
	}
	db.Create(&Note{Text: "hello"})
	var n Note
	db.First(&n)
	fmt.Println(n.ID, n.Text)
	// Output: 1 hello
}

func ExampleConstraintError() {
	db, err := database.Open(context.Background(), database.Config{URL: "sqlite::memory:", SlowQuery: -1, Logger: discard})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer database.Close(db)

	type User struct {
		ID    int64
		Email string `gorm:"uniqueIndex"`
	}
	_ = db.AutoMigrate(&User{})
	db.Create(&User{Email: "ada@example.com"})
	err = db.Create(&User{Email: "ada@example.com"}).Error

	fmt.Println(errors.Is(err, gorm.ErrDuplicatedKey))
	var ce *database.ConstraintError
	if errors.As(err, &ce) {
		fmt.Println(ce.Kind, ce.Table, ce.Column())
	}
	fmt.Println(err)
	// Output:
	// true
	// unique users email
	// database: unique constraint violated (table "users", column "email")
}

func ExampleOpen_poolTimeout() {
	db, err := database.Open(context.Background(), database.Config{
		URL:         "sqlite::memory:",
		PoolSize:    1,
		MaxOverflow: -1, // no connection beyond the one
		PoolTimeout: 100 * time.Millisecond,
		SlowQuery:   -1,
		Logger:      discard,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer database.Close(db)

	tx := db.Begin() // holds the only connection
	defer tx.Rollback()
	err = db.Exec("SELECT 1").Error
	fmt.Println(errors.Is(err, database.ErrPoolTimeout))
	// Output: true
}

func ExampleFromEnv() {
	// As a deployment would set them:
	os.Setenv("DATABASE_URL", "sqlite::memory:")
	os.Setenv("DATABASE_POOL_TIMEOUT", "2.5")
	os.Setenv("DATABASE_MAX_OVERFLOW", "zero")
	defer os.Unsetenv("DATABASE_URL")
	defer os.Unsetenv("DATABASE_POOL_TIMEOUT")
	defer os.Unsetenv("DATABASE_MAX_OVERFLOW")

	_, err := database.FromEnv()
	fmt.Println(err)

	os.Setenv("DATABASE_MAX_OVERFLOW", "0")
	cfg, err := database.FromEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.URL, cfg.PoolTimeout, cfg.MaxOverflow < 0)
	// Output:
	// database: invalid configuration: DATABASE_MAX_OVERFLOW="zero": want an integer from 0 to 2147483647
	// sqlite::memory: 2.5s true
}

func ExampleOpenAll() {
	conns, err := database.OpenAll(context.Background(), map[string]database.Config{
		database.DefaultName: {URL: "sqlite::memory:"},
		"audit":              {URL: "sqlite::memory:", PoolSize: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conns.Close()

	audit, _ := conns.Get("audit")
	fmt.Println(conns.Names(), audit.Dialector.Name())
	_, err = conns.Get("reports")
	fmt.Println(err)
	// Output:
	// [audit default] sqlite
	// database: unknown connection name: "reports" (opened: audit, default)
}

var discard = slog.New(slog.DiscardHandler)
