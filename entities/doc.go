// Package entities holds the structs that application models embed to get
// the columns every service needs, and the errors those columns produce.
//
// A model embeds one or more of them:
//
//	type Article struct {
//		entities.Entity                 // ID (UUIDv7), CreatedAt, UpdatedAt
//		Title string `validate:"required,max=200"`
//	}
//
// The structs only declare columns. Their behaviour (UUIDs on create,
// timestamps on create and update, validation, immutability, optimistic
// locking) comes from the GORM plugin in package
// [github.com/gormext/gormext/hooks], registered once with
// db.Use(hooks.New()); [github.com/gormext/gormext/database.Open] registers it
// for you. The behaviour is kept in callbacks rather than in hook methods on
// these structs because GORM does not run an embedded struct's BeforeCreate
// when the model defines its own, nor either one's when two embedded structs
// both define it.
//
// The building blocks:
//
//   - [BaseEntity]: no columns; a marker every entity may embed. A model
//     embedding only BaseEntity is still validated by the plugin.
//   - [IdentifiableEntity]: ID uuid.UUID, the primary key (uuid type on PostgreSQL).
//   - [DatedEntity]: CreatedAt and UpdatedAt, UTC, microsecond precision.
//   - [Entity]: IdentifiableEntity and DatedEntity together, the common case.
//   - [ImmutableEntity]: ID and CreatedAt for audit logs and events; every
//     update or delete fails with [ErrImmutable] before SQL is sent.
//   - [SoftDeletableEntity]: DeletedAt; Delete marks the row, [Restore]
//     brings it back (or fails with [ErrNotDeleted]).
//   - [VersionedEntity]: Version for optimistic locking; a stale update
//     fails with a [*StaleEntityError] matching [ErrStaleEntity].
//
// Validation failures are [*ValidationError], matching [ErrValidation].
//
// [ToDTO] and [FromDTO] copy fields by name between entities and the request
// and response structs of an API.
package entities
