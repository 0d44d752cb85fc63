// Package migrate applies versioned schema migrations, safe to run from
// many replicas at once, and writes them from GORM models.
//
// A migration is a SQL file named VERSION_NAME.sql with an Up and a Down
// section:
//
//	-- migrate:up
//	CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
//
//	-- migrate:down
//	DROP TABLE users;
//
// or a [GoMigration] for data changes. [Load] reads a directory (an
// embed.FS or os.DirFS) and checks every file before anything runs;
// [New] returns a [Migrator] whose Up, Down, Redo, Stamp, Status and
// Rehash do what their names say.
//
//	src, err := migrate.Load(migrationsFS, "migrations")
//	m, err := migrate.New(db, src)
//	applied, err := m.Up(ctx)
//
// # Autogenerate
//
// [Diff] compares the schema GORM models need with a database's and plans
// the change both ways, on Atlas's engine (ariga.io/atlas): AutoMigrate
// fills a scratch database (in-memory SQLite, or a temporary PostgreSQL
// schema), Atlas inspects both and plans Up and Down. Dropping a table or a
// column and narrowing a type fail with [ErrDestructive] unless
// DiffOptions.AllowDestructive; a drop beside an add is reported as a
// possible rename ([Plan].Renames). [Check] returns a [*DriftError] when the
// models and the schema differ.
//
// # The command
//
// [Main] is a complete command (new, diff, up, down, redo, status,
// current, history, stamp, check, sql, rehash) that a service builds in its
// own module, since diff and check need its models:
//
//	func main() {
//		migrate.Main(migrate.Config{FS: migrations.FS, FSDir: ".", Models: []any{&User{}}})
//	}
//
// Package migratetest checks, in a service's tests, that the migrations
// build the schema the models need.
//
// # Many replicas
//
// Each migration runs in its own transaction, together with its row in the
// version table (DefaultTable: version, name, checksum, applied_at), so a
// failing migration leaves both the schema and the table as they were; the
// error, a [*MigrationError], names the file, the statement and its line.
// On PostgreSQL a command holds a session advisory lock (keyed by the
// current schema and the table name) for its whole run; on SQLite each
// migration's transaction is BEGIN IMMEDIATE and reads the version table
// again under the write lock. Either way N processes running Up together
// apply each migration exactly once.
//
// # Checksums
//
// The SHA-256 of each applied file is stored. Up and Down refuse to run
// while an applied file differs ([ErrChecksumMismatch], naming the file);
// [Migrator.Rehash] accepts an intended edit.
//
// # Traps
//
//   - Statements that PostgreSQL refuses inside a transaction (CREATE INDEX
//     CONCURRENTLY, ALTER TYPE ... ADD VALUE before PostgreSQL 12) cannot
//     be run by a migration.
//   - On SQLite, foreign-key enforcement is off during a migration's
//     transaction (table rebuilds drop and recreate referenced tables) and
//     PRAGMA foreign_key_check runs before commit instead.
package migrate
