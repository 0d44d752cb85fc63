package migrate

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// State is one migration's state in a database.
type State struct {
	Version int64
	Name    string
	// Source is the migration's file, or "" when it is applied but its
	// file is gone.
	Source    string
	Applied   bool
	AppliedAt time.Time
	// Edited is true when the file changed after it was applied.
	Edited bool
	// Missing is true when the version is applied but has no migration.
	Missing bool
}

// Status lists every known or applied migration in version order, without
// changing anything.
func (m *Migrator) Status(ctx context.Context) ([]State, error) {
	recs, err := m.readRecords(ctx)
	if err != nil {
		return nil, err
	}
	var out []State
	for _, mg := range m.src.migrations {
		st := State{Version: mg.Version, Name: mg.Name, Source: mg.Source}
		if r, ok := recs[mg.Version]; ok {
			st.Applied, st.AppliedAt = true, r.AppliedAt
			st.Edited = mg.Checksum != "" && r.Checksum != mg.Checksum
		}
		out = append(out, st)
	}
	for _, v := range sortedVersions(recs) {
		if m.src.Find(v) == nil {
			r := recs[v]
			out = append(out, State{Version: v, Name: r.Name, Applied: true, AppliedAt: r.AppliedAt, Missing: true})
		}
	}
	sortStates(out)
	return out, nil
}

// Current returns the highest applied version, 0 when none is.
func (m *Migrator) Current(ctx context.Context) (int64, error) {
	recs, err := m.readRecords(ctx)
	if err != nil {
		return 0, err
	}
	var cur int64
	for v := range recs {
		cur = max(cur, v)
	}
	return cur, nil
}

func sortStates(s []State) {
	slices.SortFunc(s, func(a, b State) int { return cmp.Compare(a.Version, b.Version) })
}
