package migrate

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Source is a validated, ordered set of migrations: the SQL files of a
// directory and the Go migrations given beside them.
type Source struct {
	migrations []*Migration
}

// Load reads the migration files (*.sql) in dir of fsys, an embed.FS or
// os.DirFS, and adds the Go migrations. Other files are ignored. Every
// file is checked before anything runs: a name without a version, a
// missing Up or Down section, an empty file or two migrations with one
// version fail with ErrInvalidMigration (and ErrDuplicateVersion), a
// missing directory with ErrNoDirectory; all problems found are reported
// together.
func Load(fsys fs.FS, dir string, gos ...GoMigration) (*Source, error) {
	if dir == "" {
		dir = "."
	}
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (create it, or give the directory that holds the migration files)", ErrNoDirectory, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: reading %s: %w", dir, err)
	}
	var ms []*Migration
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(path.Ext(e.Name()), ".sql") {
			continue
		}
		m, err := loadFile(fsys, path.Join(dir, e.Name()), e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ms = append(ms, m)
	}
	for _, g := range gos {
		m, err := g.migration()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ms = append(ms, m)
	}
	return newSource(ms, errs)
}

// LoadDir is Load on a directory of the file system.
func LoadDir(dir string, gos ...GoMigration) (*Source, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (create it, or give the directory that holds the migration files)", ErrNoDirectory, dir)
	}
	return Load(os.DirFS(dir), ".", gos...)
}

func loadFile(fsys fs.FS, p, name string) (*Migration, error) {
	body, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("migrate: reading %s: %w", p, err)
	}
	return parseFile(name, body)
}

func newSource(ms []*Migration, errs []error) (*Source, error) {
	slices.SortStableFunc(ms, func(a, b *Migration) int { return cmp.Compare(a.Version, b.Version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			errs = append(errs, fmt.Errorf("%w: %w: %s and %s both have version %d: renumber one of them",
				ErrInvalidMigration, ErrDuplicateVersion, ms[i-1].Source, ms[i].Source, ms[i].Version))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Source{migrations: ms}, nil
}

// Migrations returns the migrations in version order.
func (s *Source) Migrations() []*Migration { return slices.Clone(s.migrations) }

// Find returns the migration of a version, or nil.
func (s *Source) Find(version int64) *Migration {
	i, ok := slices.BinarySearchFunc(s.migrations, version, func(m *Migration, v int64) int { return cmp.Compare(m.Version, v) })
	if !ok {
		return nil
	}
	return s.migrations[i]
}

// Head is the highest version, or 0 when there is no migration.
func (s *Source) Head() int64 {
	if len(s.migrations) == 0 {
		return 0
	}
	return s.migrations[len(s.migrations)-1].Version
}
