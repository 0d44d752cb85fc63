package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// envPostgresDSN names the variable holding the PostgreSQL server to use.
const envPostgresDSN = "GORMEXT_TEST_POSTGRES_DSN"

// openers are the two ways the suite opens its connections, baseline first.
var openers = []string{"gorm", "gormext"}

type options struct {
	src  string
	race bool
	run  string
	keep bool
}

func main() {
	log.SetFlags(0)
	var o options
	flag.StringVar(&o.src, "src", os.Getenv("GORM_SRC"), "a git clone of GORM, or a directory holding GORM's tests/ (default $GORM_SRC; empty clones GORM from GitHub)")
	flag.BoolVar(&o.race, "race", true, "build GORM's tests with the race detector, as GORM's CI does")
	flag.StringVar(&o.run, "run", "", "run only the tests matching this regular expression")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory (its path is printed) and the PostgreSQL databases")
	flag.Parse()
	ok, err := suite(context.Background(), o, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	if !ok {
		os.Exit(1)
	}
}

// suite runs GORM's tests through both openers on every configured
// database and reports whether none fails only through database.Open.
func suite(ctx context.Context, o options, w io.Writer) (bool, error) {
	root, version, err := gormext()
	if err != nil {
		return false, err
	}
	dir, err := os.MkdirTemp("", "gormsuite-")
	if err != nil {
		return false, err
	}
	if o.keep {
		fmt.Fprintln(w, "working directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin, err := build(o, root, version, dir)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "GORM %s tests, gormext at %s\n\n", version, root)
	ok := true
	for _, dialect := range dialects() {
		got, err := compare(ctx, o, bin, dir, dialect)
		if err != nil {
			return false, err
		}
		ok = report(w, dialect, got) && ok
	}
	return ok, nil
}

// gormext returns the root of this checkout and the GORM version it uses.
func gormext() (root, version string, err error) {
	out, err := output("", "go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", "gorm.io/gorm")
	if err != nil {
		return "", "", err
	}
	gomod, err := output("", "go", "env", "GOMOD")
	if err != nil {
		return "", "", err
	}
	if gomod == "" || gomod == os.DevNull {
		return "", "", fmt.Errorf("gormsuite: run from within the gormext module")
	}
	_, version, _ = strings.Cut(out, " ")
	return filepath.Dir(gomod), version, nil
}

// build copies GORM's tests, prepares them, and compiles their test binary.
func build(o options, root, version, dir string) (string, error) {
	if err := copyTests(o.src, version, dir); err != nil {
		return "", err
	}
	tests := filepath.Join(dir, "tests")
	if err := prepare(tests, root, version); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "gorm-tests.test")
	args := []string{"test", "-c", "-o", bin}
	if o.race {
		args = append(args, "-race")
	}
	return bin, run(tests, nil, "go", args...)
}

func dialects() []string {
	if os.Getenv(envPostgresDSN) == "" {
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

// compare runs the suite through each opener on one database.
func compare(ctx context.Context, o options, bin, dir, dialect string) (map[string]outcome, error) {
	got := map[string]outcome{}
	for _, opener := range openers {
		start := time.Now()
		out, err := runSuite(ctx, o, bin, dir, dialect, opener)
		if err != nil {
			return nil, err
		}
		log.Printf("%s through %s: %s", dialect, opener, time.Since(start).Round(time.Second))
		got[opener] = out
	}
	return got, nil
}

// runSuite runs the test binary once, on a database of its own.
func runSuite(ctx context.Context, o options, bin, dir, dialect, opener string) (outcome, error) {
	tmp, err := os.MkdirTemp(dir, dialect+"-"+opener+"-")
	if err != nil {
		return outcome{}, err
	}
	env := []string{"GORM_DIALECT=" + dialect, "GORMSUITE_OPENER=" + opener, "TMPDIR=" + tmp}
	if dialect == "postgres" {
		name := fmt.Sprintf("gormsuite_%s_%d", opener, os.Getpid())
		dsn, err := createDatabase(ctx, os.Getenv(envPostgresDSN), name)
		if err != nil {
			return outcome{}, err
		}
		if !o.keep {
			defer func() { _ = dropDatabase(context.WithoutCancel(ctx), os.Getenv(envPostgresDSN), name) }()
		}
		env = append(env, "GORM_DSN="+dsn)
	}
	args := []string{"tool", "test2json", "-t", bin, "-test.v=test2json", "-test.count=1", "-test.timeout=20m"}
	if o.run != "" {
		args = append(args, "-test.run="+o.run)
	}
	var stream bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = filepath.Join(dir, "tests"), append(os.Environ(), env...), &stream, &stream
	_ = cmd.Run() // a failing suite is an outcome, read below
	if err := os.WriteFile(filepath.Join(tmp, "test2json.out"), stream.Bytes(), 0o644); err != nil {
		return outcome{}, err
	}
	return readOutcome(&stream)
}
