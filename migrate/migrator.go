package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Migrator applies and reverts the migrations of a Source on a database.
// Every method is safe to call from many processes at once (see the
// package documentation on locking).
type Migrator struct {
	db      *gorm.DB
	src     *Source
	dialect dialect
	table   string
	// outOfOrder lets Up apply pending migrations below the highest
	// applied version.
	outOfOrder bool
}

// Option configures a Migrator.
type Option func(*Migrator)

// WithTable names the version table (default DefaultTable). The name is a
// plain identifier: letters, digits and underscores.
func WithTable(name string) Option { return func(m *Migrator) { m.table = name } }

// AllowOutOfOrder lets Up apply a pending migration whose version is below
// the highest applied one (Flyway's outOfOrder, goose's allow-missing).
// Without it Up refuses with ErrOutOfOrder before running anything: such a
// migration was written before changes already applied on this database,
// and running it after them is a decision to take, not a default.
func AllowOutOfOrder() Option { return func(m *Migrator) { m.outOfOrder = true } }

// New returns a Migrator of src on db. It fails with ErrUnsupportedDialect
// on a database other than SQLite or PostgreSQL.
func New(db *gorm.DB, src *Source, opts ...Option) (*Migrator, error) {
	d, err := dialectOf(db)
	if err != nil {
		return nil, err
	}
	m := &Migrator{db: db, src: src, dialect: d, table: DefaultTable}
	for _, o := range opts {
		o(m)
	}
	if !identifier.MatchString(m.table) {
		return nil, fmt.Errorf("migrate: version table name %q: use letters, digits and underscores", m.table)
	}
	if m.src == nil {
		m.src = &Source{}
	}
	return m, nil
}

// Source returns the migrations m applies.
func (m *Migrator) Source() *Source { return m.src }

// Table returns the version table's name.
func (m *Migrator) Table() string { return m.table }

// Result is one migration applied or reverted.
type Result struct {
	Migration *Migration
	// Direction is "up" or "down".
	Direction string
	Duration  time.Duration
}

// session runs fn on one connection that holds the migration lock, after
// the version table exists, with the records read under the lock.
func (m *Migrator) session(ctx context.Context, fn func(conn *sql.Conn, recs map[int64]Record) error) error {
	sqlDB, err := m.db.DB()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: taking a connection: %w", err)
	}
	defer conn.Close()
	release, err := m.dialect.acquire(ctx, conn, m.table)
	if err != nil {
		return err
	}
	defer release()
	if err := m.ensureTable(ctx, conn); err != nil {
		return err
	}
	recs, err := m.records(ctx, conn)
	if err != nil {
		return err
	}
	return fn(conn, recs)
}

// verify checks the records against the source: every applied version
// has a migration, and no applied file was edited.
func (m *Migrator) verify(recs map[int64]Record) error {
	var errs []error
	for _, v := range sortedVersions(recs) {
		r := recs[v]
		mg := m.src.Find(v)
		switch {
		case mg == nil:
			errs = append(errs, fmt.Errorf("%w: version %d (%s) is applied but has no migration: restore its file, or stamp a version below it",
				ErrUnknownVersion, v, r.Name))
		case mg.Checksum != "" && r.Checksum != mg.Checksum:
			errs = append(errs, &ChecksumError{Version: v, Source: mg.Source, Applied: r.Checksum, Current: mg.Checksum})
		}
	}
	return errors.Join(errs...)
}

// Verify checks, without changing anything, that every applied migration
// still has its file, unedited (ErrUnknownVersion, ErrChecksumMismatch).
func (m *Migrator) Verify(ctx context.Context) error {
	recs, err := m.readRecords(ctx)
	if err != nil {
		return err
	}
	return m.verify(recs)
}

// readRecords reads the version table without the lock; no table means
// nothing applied.
func (m *Migrator) readRecords(ctx context.Context) (map[int64]Record, error) {
	if !m.db.WithContext(ctx).Migrator().HasTable(m.table) {
		return map[int64]Record{}, nil
	}
	sqlDB, err := m.db.DB()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return m.records(ctx, sqlDB)
}

// checkTarget fails unless to is 0 or a known version.
func (m *Migrator) checkTarget(to int64) error {
	if to != 0 && m.src.Find(to) == nil {
		return fmt.Errorf("%w: %d (known: %s)", ErrUnknownVersion, to, m.src.describeVersions())
	}
	return nil
}
