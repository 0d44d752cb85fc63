package hooks

import (
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"
)

// Option configures a [Plugin]. The defaults: the clock is time.Now, new IDs
// are UUIDv7, and validation uses one validator shared by every plugin.
type Option func(*config)

type config struct {
	clock    func() time.Time
	newID    func() (uuid.UUID, error)
	validate *validator.Validate
}

func defaultConfig() config {
	return config{clock: time.Now, newID: uuid.NewV7, validate: defaultValidator()}
}

// WithClock sets the clock used for every timestamp the plugin writes. The
// default is time.Now. Whatever the clock returns is stored as UTC truncated
// to microseconds.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithUUIDv4 makes the plugin give new rows random (version 4) UUIDs instead
// of the default time-ordered version 7.
func WithUUIDv4() Option {
	return WithIDGenerator(uuid.NewRandom)
}

// WithIDGenerator sets the function that makes the ID of a new row whose ID
// is zero. The default is uuid.NewV7 (time-ordered, monotonic within the
// process).
func WithIDGenerator(newID func() (uuid.UUID, error)) Option {
	return func(c *config) { c.newID = newID }
}

// WithValidator makes the plugin validate with v instead of its own shared
// validator (validator.New(validator.WithRequiredStructEnabled())), for
// custom rules, tag names and struct-level validations. With v, every
// entity is validated, even one without validate tags, so that v's
// struct-level rules apply. A nil v switches validation off.
func WithValidator(v *validator.Validate) Option {
	return func(c *config) { c.validate = v }
}

// WithoutValidation switches validation off: rows are written as they are.
func WithoutValidation() Option {
	return func(c *config) { c.validate = nil }
}
