package main

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

//go:embed opener.go.txt
var opener []byte

// openerFunc is the declaration of GORM's test connection, renamed so that
// opener.go.txt can wrap it.
const (
	openerFunc   = "func OpenTestConnection("
	openerRename = "func gormOpenTestConnection("
)

// prepare turns the copy of GORM's tests in dir into a module that opens
// its connections through opener.go.txt, on GORM gormVersion and on the
// gormext checkout at root.
func prepare(dir, root, gormVersion string) error {
	if err := renameOpener(filepath.Join(dir, "tests_test.go")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "gormext_opener_test.go"), opener, 0o644); err != nil {
		return err
	}
	if err := run(dir, nil, "go", "mod", "edit",
		"-dropreplace=gorm.io/gorm",
		"-require=gorm.io/gorm@"+gormVersion,
		"-require=github.com/gormext/gormext@v0.0.0",
		"-replace=github.com/gormext/gormext="+root); err != nil {
		return err
	}
	return run(dir, nil, "go", "mod", "tidy")
}

// renameOpener renames GORM's OpenTestConnection in file, which must
// declare it exactly once.
func renameOpener(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if n := strings.Count(string(src), openerFunc); n != 1 {
		return fmt.Errorf("gormsuite: %s declares %q %d times, want once (has GORM's test layout changed?)", file, openerFunc, n)
	}
	return os.WriteFile(file, []byte(strings.Replace(string(src), openerFunc, openerRename, 1)), 0o644)
}
