package database

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/hooks"
)

// Open connects to the database cfg.URL names and returns a *gorm.DB ready
// for use:
//
//   - the driver is chosen from the URL, read as SQLAlchemy reads it:
//     postgres://, postgresql:// and postgresql+<python driver>:// (and a
//     libpq keyword/value string) use pgx; sqlite:///app.db opens a
//     relative file, sqlite:////var/lib/app.db an absolute one; sqlite://,
//     sqlite:///:memory: and sqlite::memory: open an in-memory database
//     private to this *gorm.DB (see Config.URL);
//   - the pool follows cfg (PoolSize, MaxOverflow, PoolTimeout, PoolRecycle);
//   - the hooks plugin is registered with cfg.Hooks;
//   - waiting for a free connection is bounded by cfg.PoolTimeout: past it
//     the statement fails with [ErrPoolTimeout];
//   - GORM's error translation is on, and constraint violations come back
//     as [*ConstraintError] (matching gorm.ErrDuplicatedKey and the like);
//   - GORM's clock is UTC truncated to microseconds;
//   - SQL is logged through log/slog (see Config.Echo);
//   - cfg.GORM, when set, adjusts the gorm.Config last.
//
// Open pings the server with ctx before returning: an unknown scheme fails
// with ErrUnsupportedURL, an unreachable server with ErrConnect. Close the
// pool with db.DB() and (*sql.DB).Close when done; closing the last pool of
// an in-memory database drops it.
func Open(ctx context.Context, cfg Config) (*gorm.DB, error) {
	cfg = cfg.withDefaults()
	t, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	sqlDB, dial, err := openSQL(t, cfg)
	if err != nil {
		return nil, err
	}
	configurePool(sqlDB, t, cfg)
	conns := &pool{db: sqlDB, timeout: cfg.PoolTimeout}
	if err := conns.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("%w to %s: %w", ErrConnect, describe(t), err)
	}
	db, err := gorm.Open(translator{dial(conns)}, gormConfig(cfg))
	if err == nil {
		err = registerScanFilter(db)
	}
	if err == nil {
		err = db.Use(hooks.New(cfg.Hooks...))
	}
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("database: opening %s: %w", describe(t), err)
	}
	return db, nil
}

func openSQL(t target, cfg Config) (*sql.DB, func(gorm.ConnPool) gorm.Dialector, error) {
	if t.dialect == dialectSQLite {
		return openSQLite(t, cfg)
	}
	return openPostgres(t, cfg)
}

// configurePool applies the pool settings. An in-memory SQLite database lives
// as long as one of its connections, so its connections are never recycled.
func configurePool(db *sql.DB, t target, cfg Config) {
	db.SetMaxOpenConns(cfg.maxOpen())
	db.SetMaxIdleConns(cfg.PoolSize)
	if cfg.PoolRecycle > 0 && !t.memory {
		db.SetConnMaxLifetime(cfg.PoolRecycle)
	}
}

// gormConfig is Open's GORM configuration, adjusted by cfg.GORM.
func gormConfig(cfg Config) *gorm.Config {
	c := &gorm.Config{
		Logger:               newLogger(cfg),
		NowFunc:              utcNow,
		TranslateError:       true,
		DisableAutomaticPing: true, // Open has pinged through the pool
	}
	if cfg.GORM != nil {
		cfg.GORM(c)
	}
	return c
}

// utcNow is GORM's clock: UTC, truncated to microseconds (the precision
// PostgreSQL keeps), so a time written and read back compares equal.
func utcNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
