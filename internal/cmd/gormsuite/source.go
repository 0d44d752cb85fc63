package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// gormRepository is where GORM is cloned from when no source is given.
const gormRepository = "https://github.com/go-gorm/gorm.git"

// errNoTests is returned when a source holds no GORM tests.
var errNoTests = errors.New("gormsuite: no GORM tests found")

// copyTests writes GORM's tests/ at version into dir/tests: from the git
// repository src (bare or not), from src/tests when src is no git
// repository, or from a fresh clone when src is empty.
func copyTests(src, version, dir string) error {
	if src == "" {
		clone := filepath.Join(dir, "gorm.git")
		if err := run("", nil, "git", "clone", "--quiet", "--bare", "--depth=1", "--branch="+version, gormRepository, clone); err != nil {
			return fmt.Errorf("gormsuite: cloning GORM %s (set -src to a local clone): %w", version, err)
		}
		src = clone
	}
	if isGit(src) {
		return extractTests(src, version, dir)
	}
	if _, err := os.Stat(filepath.Join(src, "tests", "tests_test.go")); err != nil {
		return fmt.Errorf("%w in %s: want a git clone of GORM or a directory with tests/tests_test.go", errNoTests, src)
	}
	return os.CopyFS(filepath.Join(dir, "tests"), os.DirFS(filepath.Join(src, "tests")))
}

func isGit(dir string) bool {
	return exec.Command("git", "-C", dir, "rev-parse", "--git-dir").Run() == nil
}

// extractTests unpacks tests/ of the tagged version from a git repository.
func extractTests(repo, version, dir string) error {
	cmd := exec.Command("git", "-C", repo, "archive", "--format=tar", version, "tests")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	n, untarErr := untar(out, dir)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("gormsuite: git archive %s tests in %s: %w", version, repo, err)
	}
	if untarErr == nil && n == 0 {
		untarErr = fmt.Errorf("%w at %s in %s", errNoTests, version, repo)
	}
	return untarErr
}

// untar writes the regular files of a tar stream under dir and returns how
// many it wrote. Names leaving dir are refused.
func untar(r io.Reader, dir string) (int, error) {
	tr := tar.NewReader(r)
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || strings.HasPrefix(name, "..") {
			return n, fmt.Errorf("gormsuite: archive entry %q leaves the directory", h.Name)
		}
		if err := writeFile(filepath.Join(dir, name), tr, os.FileMode(h.Mode)&0o755); err != nil {
			return n, err
		}
		n++
	}
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
