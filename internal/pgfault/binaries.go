package pgfault

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// EnvBinDir names the environment variable that may point at the directory
// holding initdb and pg_ctl.
const EnvBinDir = "PG_BINDIR"

// findBinDir returns the directory holding initdb and pg_ctl, or "".
func findBinDir() string {
	for _, dir := range candidateDirs() {
		if hasBinaries(dir) {
			return dir
		}
	}
	return ""
}

func candidateDirs() []string {
	var dirs []string
	if d := strings.TrimSpace(os.Getenv(EnvBinDir)); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, debianDirs()...)
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	return dirs
}

// debianDirs lists /usr/lib/postgresql/<version>/bin, newest version first.
func debianDirs() []string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	return matches
}

func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func hasBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}
