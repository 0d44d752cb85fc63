package hooks

import (
	"sync"

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
}

// New returns the plugin configured by opts.
func New(opts ...Option) *Plugin {
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	return &Plugin{cfg: cfg}
}

// Name implements gorm.Plugin.
func (p *Plugin) Name() string { return Name }

// Initialize implements gorm.Plugin: it registers the plugin's callbacks.
func (p *Plugin) Initialize(db *gorm.DB) error {
	return nil
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
