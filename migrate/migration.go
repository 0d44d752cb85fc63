package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"gorm.io/gorm"
)

// Func is a Go migration step. tx is a *gorm.DB bound to the migration's
// transaction: everything it does commits or rolls back with the migration.
type Func func(ctx context.Context, tx *gorm.DB) error

// Migration is one versioned change: the Up and Down sections of a SQL
// file, or a pair of Go functions.
type Migration struct {
	// Version orders migrations; unique. A file's version is the number
	// its name starts with.
	Version int64
	// Name is the rest of the file name, without the extension.
	Name string
	// Source is the file name ("20260126104500_add_users.sql"), or
	// "go:<version>_<name>" for a Go migration.
	Source string
	// UpSQL and DownSQL hold the statements of a SQL migration, Up and
	// Down its Go functions.
	UpSQL, DownSQL []Statement
	Up, Down       Func
	// Checksum is the SHA-256 of the file, hex; empty for Go migrations,
	// which are never checksummed.
	Checksum string
}

// Statement is one SQL statement of a section with its first line in the
// file.
type Statement struct {
	SQL  string
	Line int
}

// GoMigration declares a migration written in Go, for data changes that SQL
// alone cannot express. Down may be nil: the migration is then irreversible.
type GoMigration struct {
	Version  int64
	Name     string
	Up, Down Func
}

func (g GoMigration) migration() (*Migration, error) {
	src := fmt.Sprintf("go:%d_%s", g.Version, g.Name)
	switch {
	case g.Version <= 0:
		return nil, fmt.Errorf("%w: %s: the version must be a positive number", ErrInvalidMigration, src)
	case g.Up == nil:
		return nil, fmt.Errorf("%w: %s: Up is nil", ErrInvalidMigration, src)
	}
	return &Migration{Version: g.Version, Name: g.Name, Source: src, Up: g.Up, Down: g.Down}, nil
}

// IsGo reports whether m is a Go migration.
func (m *Migration) IsGo() bool { return m.Up != nil }

// reversible reports whether m has a Down step.
func (m *Migration) reversible() bool {
	if m.IsGo() {
		return m.Down != nil
	}
	return len(m.DownSQL) > 0
}

func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
