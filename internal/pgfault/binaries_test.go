package pgfault

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingVerdict(t *testing.T) {
	for _, tc := range []struct {
		dsn  string
		fail bool
	}{
		{"", false},
		{"   ", false},
		{"host=127.0.0.1 user=postgres dbname=test", true},
	} {
		fail, msg := missingVerdict(tc.dsn)
		if fail != tc.fail || !strings.Contains(msg, "initdb and pg_ctl not found") {
			t.Errorf("missingVerdict(%q) = %v, %q; want fail %v", tc.dsn, fail, msg, tc.fail)
		}
	}
}

func TestFindBinDirPrefersEnv(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"initdb", "pg_ctl"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvBinDir, dir)
	if got := findBinDir(); got != dir {
		t.Errorf("findBinDir() = %q, want $%s = %q", got, EnvBinDir, dir)
	}
}

func TestHasBinaries(t *testing.T) {
	dir := t.TempDir()
	if hasBinaries(dir) {
		t.Error("an empty directory has the binaries")
	}
	if err := os.WriteFile(filepath.Join(dir, "initdb"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "pg_ctl"), 0o755); err != nil {
		t.Fatal(err)
	}
	if hasBinaries(dir) {
		t.Error("a directory with pg_ctl as a directory has the binaries")
	}
}
