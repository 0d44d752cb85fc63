// Package hooks is the GORM plugin behind the entity structs of package
// [github.com/gormext/gormext/entities]: UUIDv7 primary keys, UTC
// timestamps, validation, immutability and optimistic locking.
//
//	db.Use(hooks.New())                          // defaults
//	db.Use(hooks.New(hooks.WithClock(clock)))    // an injected clock
//
// [github.com/gormext/gormext/database.Open] registers it, with the options
// of Config.Hooks.
//
// The plugin registers GORM callbacks, not hook methods, so it works
// whatever BeforeCreate, BeforeSave or BeforeUpdate methods a model defines
// (GORM runs an embedded struct's hook method only when nothing shadows it).
// It recognises a model by the entity structs it embeds; a model that embeds
// none of them is left exactly as GORM handles it, validate tags included.
//
// What it does, in GORM's order:
//
//   - Create (every path: struct, slice, array, CreateInBatches, maps, Save
//     of a new row and Save's upsert fallback): a zero ID gets a UUIDv7
//     (WithUUIDv4, WithIDGenerator), zero CreatedAt and UpdatedAt get the
//     clock, a zero Version becomes 1, then the rows are validated — all
//     before BEGIN, so a refused create sends no SQL.
//   - Create with ON CONFLICT: right after the INSERT, each struct gets
//     the ID (and CreatedAt, UpdatedAt, Version) of the row stored under
//     its conflict key, read back with one SELECT when a row may not be
//     its own (DO NOTHING that skipped rows, DO UPDATE on a unique column),
//     or a zero ID when none is found: never an ID that no row has.
//     Associations that name an existing row by a unique key link to it.
//   - Update (Save, Updates, Update): before BEGIN, an immutable model is
//     refused with entities.ErrImmutable and what the update writes is
//     validated; just before the UPDATE (after the model's own hook
//     methods) the SET clause gets UpdatedAt from the clock, loses
//     CreatedAt, and a versioned model gets "version = version + 1" and
//     "WHERE version = <in memory>"; a stale update fails with
//     *entities.StaleEntityError inside GORM's transaction.
//   - UpdateColumn(s) keep GORM's meaning: no timestamp and no validation.
//     Immutability and versioning still apply.
//   - Delete: an immutable model is refused before BEGIN.
//   - Query: the entity time fields of the rows loaded are put in UTC.
//
// Every time the plugin writes is the clock's time in UTC truncated to
// microseconds, the precision PostgreSQL keeps, so a row read back compares
// equal (==) to the row written on PostgreSQL and SQLite alike.
//
// Validation failures are *entities.ValidationError: errors.Is(err,
// entities.ErrValidation) holds and errors.As reaches the
// validator.ValidationErrors with the failing fields.
//
// See docs/entities.md for the full table of GORM calls and what the plugin
// deliberately does not do.
package hooks
