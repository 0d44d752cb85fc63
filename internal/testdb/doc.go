// Package testdb runs tests against every configured database: SQLite
// always, PostgreSQL when GORMEXT_TEST_POSTGRES_DSN is set. Each test gets a
// clean database of its own: a fresh in-memory SQLite database, or a fresh
// PostgreSQL schema (dropped at cleanup), so tests and test packages never
// see each other's rows and may run in parallel.
//
//	func TestSomething(t *testing.T) {
//		testdb.Run(t, func(t *testing.T, db *gorm.DB) {
//			// db is opened with database.Open: hooks registered.
//		})
//	}
//
// When the DSN is set and PostgreSQL cannot be reached the test fails: a
// configured database is never skipped.
package testdb
