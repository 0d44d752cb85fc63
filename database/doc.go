// Package database opens GORM connection pools from a URL, with the pool
// settings, SQL logging and error translation a service needs.
//
//	db, err := database.Open(ctx, database.Config{URL: "postgres://app@db/app"})
//	if err != nil {
//		return err
//	}
//	defer database.Close(db)
//
// [Open] picks the driver from the URL, read as SQLAlchemy reads it
// (postgresql://, postgresql+asyncpg:// and other +driver forms, a libpq
// keyword/value string, sqlite:///relative.db, sqlite:////absolute.db,
// sqlite:// or sqlite::memory: in memory), applies the pool
// settings of [Config] (PoolSize 5, MaxOverflow 10, PoolTimeout 30 s,
// PoolRecycle 1 h: SQLAlchemy's pool_size, max_overflow, pool_timeout and
// pool_recycle), registers the hooks plugin of package
// [github.com/gormext/gormext/hooks] and sets GORM's clock to UTC. [FromEnv]
// builds the Config from DATABASE_URL and friends (or DB_URL and friends
// with [WithPrefix]; [RequireURL] for services); [OpenAll] opens several
// named pools at once.
//
// Errors:
//
//   - A constraint violation is a [*ConstraintError] naming the kind,
//     constraint, table and columns, on PostgreSQL and SQLite; it matches
//     gorm.ErrDuplicatedKey, gorm.ErrForeignKeyViolated,
//     gorm.ErrCheckConstraintViolated or [ErrNotNullViolated] with
//     errors.Is, and unwraps to the driver's error.
//   - Waiting longer than PoolTimeout for a free connection fails with
//     [ErrPoolTimeout] instead of hanging; the caller's own context deadline
//     still fails with the context's error.
//   - A URL Open cannot use is [ErrUnsupportedURL], an unreachable server
//     [ErrConnect]. Neither message contains the password.
//
// Traps:
//
//   - sqlite:///app.db is relative, as in SQLAlchemy: an absolute path takes
//     four slashes (sqlite:////var/lib/app.db, or "sqlite:///" + absPath).
//   - FromEnv without RequireURL falls back to an in-memory database when
//     the URL variable is unset (with a warning): services should require it.
//   - sqlite::memory: is one database per Open, shared by the pool's
//     connections and dropped when the pool is closed. Its transactions are
//     deferred; those of SQLite files are immediate (BEGIN IMMEDIATE), so a
//     second writer waits up to BusyTimeout and then fails with "database is
//     locked" instead of failing mid-transaction.
//   - SQLite foreign-key violations name neither the constraint nor the
//     columns: SQLite does not report them.
//   - A connection is back in the pool only when its rows are closed and its
//     transaction has ended: an open *sql.Rows holds one.
//   - After a migration changes what a statement returns (SELECT * on an
//     altered table), PostgreSQL refuses pgx's statement cached before it
//     once per connection. Outside a transaction the pool runs the call
//     again (a PrepareStmt statement is prepared again first); in a
//     transaction it is the caller's error, [IsStalePlan], to retry the
//     transaction whole.
//
// Statements sent with COMMIT: on PostgreSQL, a statement whose text
// starts with [AtCommit], run in a txctx.BeforeCommit flush just before a
// transaction's COMMIT, is held by the connection and sent in the same
// round trip as the COMMIT (package outbox writes its messages so). Its
// failure is Commit's, after a rollback. A pool opened with plain
// gorm.Open, or SQLite, sends it at once: the marker is a comment.
//
// See docs/configuration.md for every setting.
package database
