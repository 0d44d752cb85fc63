package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Down reverts the latest applied migration. With nothing applied it does
// nothing.
func (m *Migrator) Down(ctx context.Context) ([]Result, error) { return m.down(ctx, -1) }

// DownTo reverts, newest first, every applied migration above version to
// (0: revert all). Each runs its Down section in its own transaction; a
// migration with an empty Down section stops the run with ErrIrreversible
// before its transaction begins.
func (m *Migrator) DownTo(ctx context.Context, to int64) ([]Result, error) {
	if err := m.checkTarget(to); err != nil {
		return nil, err
	}
	return m.down(ctx, to)
}

// down reverts the applied migrations above to, or the latest one when to
// is negative.
func (m *Migrator) down(ctx context.Context, to int64) ([]Result, error) {
	var done []Result
	err := m.session(ctx, func(conn *sql.Conn, recs map[int64]Record) (err error) {
		done, err = m.downIn(ctx, conn, recs, to)
		return err
	})
	return done, err
}

// downIn is down within a session; on failure it returns what it reverted
// before.
func (m *Migrator) downIn(ctx context.Context, conn *sql.Conn, recs map[int64]Record, to int64) ([]Result, error) {
	if err := m.verify(recs); err != nil {
		return nil, err
	}
	var done []Result
	for _, mg := range m.toRevert(recs, to) {
		r, err := m.applyDown(ctx, conn, mg)
		if err != nil {
			return done, err
		}
		if r.Migration != nil {
			done = append(done, r)
		}
	}
	return done, nil
}

func (m *Migrator) toRevert(recs map[int64]Record, to int64) []*Migration {
	vs := sortedVersions(recs)
	slices.Reverse(vs)
	if to < 0 && len(vs) > 1 {
		vs = vs[:1]
	}
	var out []*Migration
	for _, v := range vs {
		if to >= 0 && v <= to {
			break
		}
		out = append(out, m.src.Find(v)) // verify has checked it exists
	}
	return out
}

func (m *Migrator) applyDown(ctx context.Context, conn *sql.Conn, mg *Migration) (Result, error) {
	if !mg.reversible() {
		return Result{}, fmt.Errorf("%w: %s has an empty Down section", ErrIrreversible, mg.Source)
	}
	start := time.Now()
	t, err := m.dialect.begin(ctx, conn)
	if err != nil {
		return Result{}, fmt.Errorf("migrate: %s: beginning its transaction: %w", mg.Source, err)
	}
	// Deleting first tells whether another process reverted it meanwhile.
	was, err := m.deleteRecord(ctx, t.ex, mg.Version)
	if err != nil || !was {
		t.rollback()
		return Result{}, wrapIf(err, "migrate: updating "+m.table)
	}
	if err := m.run(ctx, t, mg, "down"); err != nil {
		t.rollback()
		return Result{}, err
	}
	if err := t.commit(ctx); err != nil {
		t.rollback()
		return Result{}, &MigrationError{Version: mg.Version, Source: mg.Source, Direction: "down", Err: fmt.Errorf("commit: %w", err)}
	}
	return Result{Migration: mg, Direction: "down", Duration: time.Since(start)}, nil
}

// Redo reverts the latest applied migration and applies it again, in one
// session: no other command runs in between where the dialect excludes
// them.
func (m *Migrator) Redo(ctx context.Context) ([]Result, error) {
	var done []Result
	err := m.session(ctx, func(conn *sql.Conn, recs map[int64]Record) error {
		down, err := m.downIn(ctx, conn, recs, -1)
		done = down
		if err != nil || len(down) == 0 {
			return err
		}
		v := down[0].Migration.Version
		delete(recs, v)
		up, err := m.upIn(ctx, conn, recs, v)
		done = append(done, up...)
		return err
	})
	return done, err
}

func sortedVersions(recs map[int64]Record) []int64 { return slices.Sorted(maps.Keys(recs)) }
