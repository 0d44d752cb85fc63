package migrate

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
	gormpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/database"
)

// engine is Atlas on one pinned connection of the database being compared.
type engine struct {
	conn    *sql.Conn
	ddl     func(*gorm.Config) // copies what shapes AutoMigrate's DDL from the database's GORM configuration
	drv     atlasmigrate.Driver
	dialect string
	schema  string // the inspected schema: "main" on SQLite, current_schema() on PostgreSQL
}

func newEngine(ctx context.Context, db *gorm.DB) (*engine, error) {
	d, err := dialectOf(db)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: taking a connection: %w", err)
	}
	e := &engine{conn: conn, ddl: ddlConfig(db.Config), dialect: d.name(), schema: "main"}
	if err := e.open(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return e, nil
}

func (e *engine) open(ctx context.Context) (err error) {
	if e.dialect == "sqlite" {
		e.drv, err = sqlite.Open(e.conn)
		return wrapIf(err, "migrate: opening Atlas's SQLite driver")
	}
	if err := e.conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&e.schema); err != nil {
		return fmt.Errorf("migrate: reading the current schema: %w", err)
	}
	e.drv, err = postgres.Open(e.conn)
	return wrapIf(err, "migrate: opening Atlas's PostgreSQL driver")
}

func (e *engine) close() { e.conn.Close() }

// inspect reads a schema through drv, without the version table and the
// excluded tables.
func (e *engine) inspect(ctx context.Context, name string, opts DiffOptions) (*schema.Schema, error) {
	return inspectWith(ctx, e.drv, name, opts)
}

func inspectWith(ctx context.Context, drv atlasmigrate.Driver, name string, opts DiffOptions) (*schema.Schema, error) {
	exclude := append([]string{opts.Table}, opts.Exclude...)
	s, err := drv.InspectSchema(ctx, name, &schema.InspectOptions{Exclude: exclude})
	if err != nil {
		return nil, fmt.Errorf("migrate: inspecting schema %s: %w", name, err)
	}
	return s, nil
}

// desired is the schema the models need: what AutoMigrate creates in a
// scratch database.
func (e *engine) desired(ctx context.Context, models []any, opts DiffOptions) (*schema.Schema, error) {
	if len(models) == 0 {
		return nil, errNoModels
	}
	if e.dialect == "sqlite" {
		return e.desiredSQLite(ctx, models, opts)
	}
	return e.desiredPostgres(ctx, models, opts)
}

// desiredSQLite migrates the models into a new in-memory database.
func (e *engine) desiredSQLite(ctx context.Context, models []any, opts DiffOptions) (*schema.Schema, error) {
	dev, err := database.Open(ctx, database.Config{URL: "sqlite::memory:", Logger: discardLogger(),
		GORM: e.ddl})
	if err != nil {
		return nil, fmt.Errorf("migrate: opening the scratch database: %w", err)
	}
	devSQL, _ := dev.DB()
	defer devSQL.Close()
	if err := automigrate(ctx, dev, models); err != nil {
		return nil, err
	}
	drv, err := sqlite.Open(devSQL)
	if err != nil {
		return nil, fmt.Errorf("migrate: opening Atlas's SQLite driver: %w", err)
	}
	return inspectWith(ctx, drv, "main", opts)
}

// desiredPostgres migrates the models into a temporary schema of the same
// database and drops the schema after.
func (e *engine) desiredPostgres(ctx context.Context, models []any, opts DiffOptions) (*schema.Schema, error) {
	name := "gormext_dev_" + randomHex()
	if _, err := e.conn.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		return nil, fmt.Errorf("migrate: creating the scratch schema (the role needs CREATE on the database): %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = e.conn.ExecContext(dctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	}()
	if err := e.migrateInto(ctx, name, models); err != nil {
		return nil, err
	}
	return e.inspect(ctx, name, opts)
}

// migrateInto runs AutoMigrate on the engine's own connection with its
// search_path set to the scratch schema, then sets it back: one connection
// is all Diff takes from the pool.
func (e *engine) migrateInto(ctx context.Context, name string, models []any) error {
	var path string
	if err := e.conn.QueryRowContext(ctx, "SHOW search_path").Scan(&path); err != nil {
		return fmt.Errorf("migrate: reading search_path: %w", err)
	}
	if _, err := e.conn.ExecContext(ctx, "SET search_path TO "+name); err != nil {
		return fmt.Errorf("migrate: setting search_path: %w", err)
	}
	defer e.conn.ExecContext(context.Background(), "SET search_path TO "+path) //nolint:errcheck // a failure leaves the scratch schema, dropped next, first in the path of this connection only
	cfg := &gorm.Config{Logger: logger.Discard}
	e.ddl(cfg)
	dev, err := gorm.Open(gormpostgres.New(gormpostgres.Config{Conn: e.conn}), cfg)
	if err != nil {
		return fmt.Errorf("migrate: opening the scratch schema: %w", err)
	}
	return automigrate(ctx, dev, models)
}

func automigrate(ctx context.Context, dev *gorm.DB, models []any) error {
	if err := dev.WithContext(ctx).AutoMigrate(models...); err != nil {
		return fmt.Errorf("migrate: AutoMigrate of the models in the scratch database: %w", err)
	}
	return nil
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ddlConfig copies the settings of src that change what AutoMigrate
// creates: table and column names, foreign keys, relationships.
func ddlConfig(src *gorm.Config) func(*gorm.Config) {
	return func(c *gorm.Config) {
		c.NamingStrategy = src.NamingStrategy
		c.DisableForeignKeyConstraintWhenMigrating = src.DisableForeignKeyConstraintWhenMigrating
		c.IgnoreRelationshipsWhenMigrating = src.IgnoreRelationshipsWhenMigrating
	}
}
