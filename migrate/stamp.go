package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Stamp records version to as the database's current version without
// running anything (Flyway's baseline, Alembic's stamp): every migration
// up to it is marked applied, and the records of any above it are
// removed. Use it on a database whose schema was made otherwise (by
// AutoMigrate, or by hand) to let Up continue from there. to is 0 (nothing
// applied) or a known version.
func (m *Migrator) Stamp(ctx context.Context, to int64) error {
	if err := m.checkTarget(to); err != nil {
		return err
	}
	return m.session(ctx, func(conn *sql.Conn, recs map[int64]Record) error {
		t, err := m.dialect.begin(ctx, conn)
		if err != nil {
			return fmt.Errorf("migrate: stamp: %w", err)
		}
		if err := m.stamp(ctx, t.ex, recs, to); err != nil {
			t.rollback()
			return fmt.Errorf("migrate: stamp: %w", err)
		}
		if err := t.commit(ctx); err != nil {
			t.rollback()
			return fmt.Errorf("migrate: stamp: %w", err)
		}
		return nil
	})
}

func (m *Migrator) stamp(ctx context.Context, ex execQuerier, recs map[int64]Record, to int64) error {
	for v := range recs {
		if v > to {
			if _, err := m.deleteRecord(ctx, ex, v); err != nil {
				return err
			}
		}
	}
	for _, mg := range m.src.migrations {
		if mg.Version > to {
			break
		}
		if _, ok := recs[mg.Version]; ok {
			continue
		}
		if err := m.insertRecord(ctx, ex, mg); err != nil {
			return err
		}
	}
	return nil
}

// Rehash stores the current checksum of applied migrations whose file was
// edited on purpose: the given versions, or all when none is given. It
// returns the versions it changed.
func (m *Migrator) Rehash(ctx context.Context, versions ...int64) ([]int64, error) {
	for _, v := range versions {
		if err := m.checkTarget(v); err != nil {
			return nil, err
		}
	}
	var changed []int64
	err := m.session(ctx, func(conn *sql.Conn, recs map[int64]Record) error {
		for _, v := range sortedVersions(recs) {
			mg := m.src.Find(v)
			if mg == nil || mg.Checksum == "" || mg.Checksum == recs[v].Checksum || !wanted(versions, v) {
				continue
			}
			if err := m.updateChecksum(ctx, conn, v, mg.Checksum); err != nil {
				return fmt.Errorf("migrate: rehash %s: %w", mg.Source, err)
			}
			changed = append(changed, v)
		}
		return nil
	})
	return changed, err
}

func wanted(versions []int64, v int64) bool {
	return len(versions) == 0 || slices.Contains(versions, v)
}

func (s *Source) describeVersions() string {
	if len(s.migrations) == 0 {
		return "none"
	}
	const shown = 5
	var b []string
	for i, mg := range s.migrations {
		if i == shown {
			b = append(b, fmt.Sprintf("... %d more", len(s.migrations)-shown))
			break
		}
		b = append(b, strconv.FormatInt(mg.Version, 10))
	}
	return strings.Join(b, ", ")
}
