package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Up applies every pending migration in version order, each in its own
// transaction, and returns those it applied. Before anything runs, every
// applied migration is checked against its file (ErrChecksumMismatch,
// ErrUnknownVersion). A failing migration is rolled back, its version
// stays unrecorded, the migrations before it stay applied, and the error
// is a [*MigrationError]. A migration another process applied meanwhile is
// skipped.
func (m *Migrator) Up(ctx context.Context) ([]Result, error) { return m.UpTo(ctx, 0) }

// UpTo is Up that stops after version to (0: apply all).
func (m *Migrator) UpTo(ctx context.Context, to int64) ([]Result, error) {
	if err := m.checkTarget(to); err != nil {
		return nil, err
	}
	var done []Result
	err := m.session(ctx, func(conn *sql.Conn, recs map[int64]Record) (err error) {
		done, err = m.upIn(ctx, conn, recs, to)
		return err
	})
	return done, err
}

// upIn is UpTo within a session; on failure it returns what it applied
// before.
func (m *Migrator) upIn(ctx context.Context, conn *sql.Conn, recs map[int64]Record, to int64) ([]Result, error) {
	pending, err := m.plan(recs, to)
	if err != nil {
		return nil, err
	}
	var done []Result
	for _, mg := range pending {
		r, applied, err := m.applyUp(ctx, conn, mg)
		if err != nil {
			return done, err
		}
		if applied {
			done = append(done, r)
		}
	}
	return done, nil
}

// Pending returns the migrations Up would apply, in order, after the same
// checks as Up, without running any.
func (m *Migrator) Pending(ctx context.Context, to int64) ([]*Migration, error) {
	if err := m.checkTarget(to); err != nil {
		return nil, err
	}
	recs, err := m.readRecords(ctx)
	if err != nil {
		return nil, err
	}
	return m.plan(recs, to)
}

// plan is what Up would apply up to to, after its checks: every applied
// migration unedited and present (verify), nothing pending below the
// applied version unless allowed (checkOrder).
func (m *Migrator) plan(recs map[int64]Record, to int64) ([]*Migration, error) {
	if err := m.verify(recs); err != nil {
		return nil, err
	}
	pending := m.pending(recs, to)
	if err := m.checkOrder(recs, pending); err != nil {
		return nil, err
	}
	return pending, nil
}

// checkOrder refuses pending migrations below the highest applied version,
// unless m allows them (see AllowOutOfOrder).
func (m *Migrator) checkOrder(recs map[int64]Record, pending []*Migration) error {
	if m.outOfOrder {
		return nil
	}
	var top int64
	for v := range recs {
		top = max(top, v)
	}
	var late []string
	for _, mg := range pending {
		if mg.Version < top {
			late = append(late, mg.Source)
		}
	}
	if len(late) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s pending while %d is applied; give it a version above %d (rename the file), or apply it where it is with --allow-out-of-order (AllowOutOfOrder)",
		ErrOutOfOrder, strings.Join(late, ", "), top, top)
}

func (m *Migrator) pending(recs map[int64]Record, to int64) []*Migration {
	var out []*Migration
	for _, mg := range m.src.migrations {
		if to != 0 && mg.Version > to {
			break
		}
		if _, ok := recs[mg.Version]; !ok {
			out = append(out, mg)
		}
	}
	return out
}

// applyUp runs one migration's Up in its transaction and records it.
func (m *Migrator) applyUp(ctx context.Context, conn *sql.Conn, mg *Migration) (Result, bool, error) {
	start := time.Now()
	t, err := m.dialect.begin(ctx, conn)
	if err != nil {
		return Result{}, false, fmt.Errorf("migrate: %s: beginning its transaction: %w", mg.Source, err)
	}
	if !m.dialect.exclusive() {
		applied, err := m.isApplied(ctx, t.ex, mg.Version)
		if err != nil || applied {
			t.rollback()
			return Result{}, false, wrapIf(err, "migrate: reading "+m.table)
		}
	}
	if err := m.run(ctx, t, mg, "up"); err != nil {
		t.rollback()
		return Result{}, false, err
	}
	if err := m.insertRecord(ctx, t.ex, mg); err != nil {
		t.rollback()
		return Result{}, false, fmt.Errorf("migrate: %s: recording it in %s: %w", mg.Source, m.table, err)
	}
	if err := t.commit(ctx); err != nil {
		t.rollback()
		return Result{}, false, &MigrationError{Version: mg.Version, Source: mg.Source, Direction: "up", Err: fmt.Errorf("commit: %w", err)}
	}
	return Result{Migration: mg, Direction: "up", Duration: time.Since(start)}, true, nil
}

func wrapIf(err error, msg string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", msg, err)
}
