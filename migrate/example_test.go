package migrate_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing/fstest"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/migrate"
)

// Load reads the migrations (an embed.FS in a service), New binds them to a
// database, Up applies the pending ones.
func Example() {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer database.Close(db)

	migrations := fstest.MapFS{
		"20260101000000_users.sql": {Data: []byte("-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\n-- migrate:down\nDROP TABLE users;\n")},
		"20260102000000_email.sql": {Data: []byte("-- migrate:up\nALTER TABLE users ADD COLUMN email TEXT;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n")},
	}
	src, err := migrate.Load(migrations, ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := migrate.New(db, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	applied, err := m.Up(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range applied {
		fmt.Println("applied", r.Migration.Source)
	}
	reverted, _ := m.Down(ctx)
	fmt.Println("reverted", reverted[0].Migration.Source)
	states, _ := m.Status(ctx)
	for _, s := range states {
		fmt.Println(s.Version, s.Name, s.Applied)
	}
	// Output:
	// applied 20260101000000_users.sql
	// applied 20260102000000_email.sql
	// reverted 20260102000000_email.sql
	// 20260101000000 users true
	// 20260102000000 email false
}

// Diff plans the migration a model needs on a database: here an empty
// in-memory SQLite database, so Up creates the table and Down drops it.
func ExampleDiff() {
	type User struct {
		ID    int64
		Email string `gorm:"not null;uniqueIndex"`
	}
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer database.Close(db)
	plan, err := migrate.Diff(ctx, db, []any{&User{}}, migrate.DiffOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s", plan.File())
	// Output:
	// -- Generated from the models by migrate diff; review before applying.
	// -- migrate:up
	// CREATE TABLE `users` (`id` integer NULL PRIMARY KEY AUTOINCREMENT, `email` text NOT NULL);
	// CREATE UNIQUE INDEX `idx_users_email` ON `users` (`email`);
	//
	// -- migrate:down
	// DROP TABLE `users`;
}
