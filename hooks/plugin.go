package hooks

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"
	"gorm.io/gorm"
)

// Name is the name under which the plugin registers with GORM.
const Name = "gormext:hooks"

// Plugin is the GORM plugin that gives the entity structs of package
// entities their behaviour. Create it with [New] and register it with
// db.Use.
type Plugin struct {
	cfg config
	// customValidator is true when WithValidator was given: its struct-level
	// rules may apply to models without validate tags, so every entity is
	// validated.
	customValidator bool
	// ownValidator is true when the plugin validates with its shared
	// default validator, whose rules nobody can redefine: the compiled
	// pre-check of fastvalidate.go may stand in for it.
	ownValidator bool
	// plans caches a *plan per *schema.Schema; last is the latest one used.
	plans sync.Map
	last  atomic.Pointer[plan]
}

// New returns the plugin configured by opts.
func New(opts ...Option) *Plugin {
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	own := cfg.validate == defaultValidator()
	return &Plugin{cfg: cfg, customValidator: cfg.validate != nil && !own, ownValidator: own}
}

// Name implements gorm.Plugin.
func (p *Plugin) Name() string { return Name }

// Callback names, registered on GORM's processors.
const (
	cbCreate      = "gormext:create"
	cbCreateAfter = "gormext:create_after"
	cbUpdateCheck = "gormext:update_check"
	cbUpdateSet   = "gormext:update_set"
	cbUpdateAfter = "gormext:update_after"
	cbDeleteCheck = "gormext:delete_check"
	cbQueryUTC    = "gormext:query_utc"
)

// Initialize implements gorm.Plugin: it registers the plugin's callbacks.
//
// Every callback is placed relative to a callback that is always in the
// chain. Everything that can refuse a statement (immutability, validation)
// and the filling of new rows run first (Before("*")), so a refused
// statement sends no SQL at all, not even BEGIN. GORM's
// "gorm:begin_transaction" is no anchor: with SkipDefaultTransaction in
// gorm.Config GORM leaves it out of the chain, and a callback registered
// before a missing one lands at the end of the chain, after the statement.
// The SET clause of an update is built just before "gorm:update", after
// the model's own BeforeSave/BeforeUpdate methods, so their changes are
// written. The checks of rows affected run right after the statement,
// inside GORM's transaction when there is one, so a stale update rolls
// back.
func (p *Plugin) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	steps := []error{
		cb.Create().Before("*").Register(cbCreate, p.beforeCreate),
		cb.Create().After("gorm:create").Before("gorm:save_after_associations").Register(cbCreateAfter, p.afterCreate),
		cb.Update().Before("*").Register(cbUpdateCheck, p.checkUpdate),
		cb.Update().After("gorm:save_before_associations").Before("gorm:update").Register(cbUpdateSet, p.buildSet),
		cb.Update().After("gorm:update").Before("gorm:save_after_associations").Register(cbUpdateAfter, p.afterUpdate),
		cb.Delete().Before("*").Register(cbDeleteCheck, p.checkDelete),
		cb.Query().After("gorm:query").Before("gorm:preload").Register(cbQueryUTC, p.normaliseRead),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	return nil
}

// now is the plugin's clock: UTC, truncated to microseconds.
func (p *Plugin) now() time.Time {
	return p.cfg.clock().UTC().Truncate(time.Microsecond)
}

var (
	sharedValidatorOnce sync.Once
	sharedValidator     *validator.Validate
)

// defaultValidator is the validator shared by every plugin built without
// WithValidator: one instance, so its struct cache is built once.
func defaultValidator() *validator.Validate {
	sharedValidatorOnce.Do(func() {
		sharedValidator = validator.New(validator.WithRequiredStructEnabled())
	})
	return sharedValidator
}
