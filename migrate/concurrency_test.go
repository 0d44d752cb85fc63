package migrate_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/migrate"
)

// childEnv, set to a URL, makes the test binary a child process that runs
// upConcurrent on it and exits.
const childEnv = "GORMEXT_MIGRATE_TEST_CHILD_URL"

const concurrentSteps = 6

// concurrentSource: the first migration creates a log table, every one
// (the first included) creates a table of its own and logs its version.
// Applied twice, a migration fails (its CREATE TABLE) or logs twice.
func concurrentSource() (*migrate.Source, error) {
	fsys := map[string]string{}
	for v := 1; v <= concurrentSteps; v++ {
		up := fmt.Sprintf("CREATE TABLE mgc_t%d (id INTEGER PRIMARY KEY);\nINSERT INTO mgc_log (version) VALUES (%d);", v, v)
		if v == 1 {
			up = "CREATE TABLE mgc_log (version INTEGER NOT NULL);\n" + up
		}
		fsys[fmt.Sprintf("%d_step.sql", v)] = sqlFile(up, fmt.Sprintf("DROP TABLE mgc_t%d;", v))
	}
	return migrate.Load(files(fsys), ".")
}

func upConcurrent(ctx context.Context, db *gorm.DB) error {
	src, err := concurrentSource()
	if err != nil {
		return err
	}
	m, err := migrate.New(db, src)
	if err != nil {
		return err
	}
	_, err = m.Up(ctx)
	return err
}

// checkAppliedOnce fails unless each migration ran exactly once.
func checkAppliedOnce(t *testing.T, db *gorm.DB) {
	t.Helper()
	if n := count(t, db, "SELECT COUNT(*) FROM mgc_log"); n != concurrentSteps {
		t.Fatalf("%d log rows, want %d (one per migration)", n, concurrentSteps)
	}
	if n := count(t, db, "SELECT COUNT(DISTINCT version) FROM mgc_log"); n != concurrentSteps {
		t.Fatalf("%d distinct versions logged, want %d", n, concurrentSteps)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM "+migrate.DefaultTable); n != concurrentSteps {
		t.Fatalf("%d version rows, want %d", n, concurrentSteps)
	}
}

// goroutinesUp runs up from n goroutines, each with a pool of its own.
func goroutinesUp(t *testing.T, url string, n int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	dbs := make([]*gorm.DB, n)
	for i := range dbs {
		db, err := openURL(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeQuietly(db) })
		dbs[i] = db
	}
	for _, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- upConcurrent(ctx, db)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	checkAppliedOnce(t, dbs[0])
}

func TestGoroutinesUpTogetherPostgres(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip(testdb.EnvPostgresDSN + " not set")
	}
	_, dsn := testdb.Raw(t, testdb.Postgres)
	goroutinesUp(t, dsn, 8)
}

func TestGoroutinesUpTogetherSQLiteFile(t *testing.T) {
	goroutinesUp(t, "sqlite:///"+filepath.Join(t.TempDir(), "mg.db"), 8)
}

func TestProcessesUpTogether(t *testing.T) {
	urls := map[string]string{"sqlite": "sqlite:///" + filepath.Join(t.TempDir(), "mg.db")}
	if testdb.PostgresDSN() != "" {
		_, urls["postgres"] = testdb.Raw(t, testdb.Postgres)
	}
	for kind, url := range urls {
		t.Run(kind, func(t *testing.T) {
			const procs = 3
			cmds := make([]*exec.Cmd, procs)
			outs := make([]bytes.Buffer, procs)
			for i := range cmds {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+url)
				cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds[i] = cmd
			}
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Errorf("process %d: %v: %s", i, err, outs[i].String())
				}
			}
			db, err := openURL(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer closeQuietly(db)
			checkAppliedOnce(t, db)
		})
	}
}
