package database

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// DefaultName is the conventional name of an application's main
// connection among named ones.
const DefaultName = "default"

// Connections is a set of pools opened together by [OpenAll] and known by
// name: a primary and a read replica, or one database per bounded context.
// It is safe for concurrent use; it is never modified after OpenAll.
type Connections struct {
	dbs   map[string]*gorm.DB
	names []string
}

// OpenAll opens one pool per entry of cfgs with [Open], in name order. When
// one fails, the pools already opened are closed and the error names the
// connection. A name must be non-empty and free of spaces.
//
// Bind the pools to a context under the same names (txctx does that) so
// that code picks its database by name:
//
//	conns, err := database.OpenAll(ctx, map[string]database.Config{
//		database.DefaultName: {URL: os.Getenv("DATABASE_URL")},
//		"reports":            {URL: os.Getenv("REPORTS_DATABASE_URL")},
//	})
//	...
//	defer conns.Close()
func OpenAll(ctx context.Context, cfgs map[string]Config) (*Connections, error) {
	c := &Connections{dbs: make(map[string]*gorm.DB, len(cfgs))}
	for name := range cfgs {
		if name == "" || strings.ContainsFunc(name, isSpaceOrControl) {
			return nil, fmt.Errorf("%w: connection name %q: want a non-empty name without spaces", ErrInvalidConfig, name)
		}
		c.names = append(c.names, name)
	}
	slices.Sort(c.names)
	for _, name := range c.names {
		db, err := Open(ctx, cfgs[name])
		if err != nil {
			return nil, errors.Join(fmt.Errorf("database: connection %q: %w", name, err), c.Close())
		}
		c.dbs[name] = db
	}
	return c, nil
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

// Get returns the pool opened under name, or an error matching
// ErrUnknownConnection that lists the names there are.
func (c *Connections) Get(name string) (*gorm.DB, error) {
	if db, ok := c.dbs[name]; ok {
		return db, nil
	}
	return nil, fmt.Errorf("%w: %q (opened: %s)", ErrUnknownConnection, name, strings.Join(c.names, ", "))
}

// Names returns the names of the pools, sorted.
func (c *Connections) Names() []string { return slices.Clone(c.names) }

// All returns the pools by name, in a map the caller may keep and change.
func (c *Connections) All() map[string]*gorm.DB {
	out := make(map[string]*gorm.DB, len(c.dbs))
	for name, db := range c.dbs {
		out[name] = db
	}
	return out
}

// Close closes every pool and returns the errors of those that failed to
// close, joined. Closing an in-memory SQLite pool drops its database.
func (c *Connections) Close() error {
	var errs []error
	for _, name := range c.names {
		db, ok := c.dbs[name]
		if !ok {
			continue
		}
		if err := Close(db); err != nil {
			errs = append(errs, fmt.Errorf("database: closing connection %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Close closes the pool under db (a *gorm.DB from Open): what
// db.DB() then (*sql.DB).Close do, in one call. Closing an in-memory SQLite
// pool drops its database.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
