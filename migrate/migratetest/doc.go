// Package migratetest checks migrations in a service's tests: that they
// apply, and that the schema they build is the one the models need.
//
//	//go:embed migrations/*.sql
//	var migrations embed.FS
//
//	func TestMigrationsMatchModels(t *testing.T) {
//		src, err := migrate.Load(migrations, "migrations")
//		if err != nil {
//			t.Fatal(err)
//		}
//		db := openCleanTestDatabase(t)
//		migratetest.AssertUpToDate(t, db, src, &User{}, &Order{})
//	}
//
// AssertUpToDate is the test form of the command's check: it fails, with
// the SQL a new migration would need, when a model gained a field that no
// migration adds. Give it a clean database (a fresh SQLite in memory, or a
// PostgreSQL schema of the test's own).
package migratetest
