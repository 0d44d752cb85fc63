// Command migratebench times gormext's migrate beside goose (v3, its
// Provider API) on the same database: status with 1,000 applied
// migrations, and up of 100 small migrations (one CREATE TABLE each) from
// an empty schema. It prints a Markdown table of medians per database.
//
//	cd bench && go run ./cmd/migratebench              # SQLite (a file)
//	GORMEXT_TEST_POSTGRES_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable" \
//		go run ./cmd/migratebench                       # and PostgreSQL
//
// Both run with their locking on: goose with its PostgreSQL session
// locker, migrate with its advisory lock (PostgreSQL) and BEGIN IMMEDIATE
// transactions (SQLite). Each tool works in a schema (a file) of its own,
// made anew for every timed up; PostgreSQL schemas are dropped when done.
// The two take turns within each round.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"time"
)

type settings struct {
	dsn          string
	rounds       int
	statusCalls  int
	statusFiles  int
	upMigrations int
}

func main() {
	var s settings
	flag.StringVar(&s.dsn, "dsn", os.Getenv("GORMEXT_TEST_POSTGRES_DSN"), "PostgreSQL DSN; empty runs SQLite only")
	flag.IntVar(&s.rounds, "rounds", 5, "timed rounds (the median is reported)")
	flag.IntVar(&s.statusCalls, "status-calls", 20, "status calls per round")
	flag.IntVar(&s.statusFiles, "status-migrations", 1000, "applied migrations for status")
	flag.IntVar(&s.upMigrations, "up-migrations", 100, "migrations applied by up")
	flag.Parse()
	ctx := context.Background()
	fmt.Printf("%d rounds; status: %d calls per round over %d applied migrations; up: %d migrations from empty\n",
		s.rounds, s.statusCalls, s.statusFiles, s.upMigrations)
	kinds := []kind{sqliteKind(os.TempDir())}
	if s.dsn != "" {
		kinds = append(kinds, postgresKind(s.dsn))
	}
	for _, k := range kinds {
		if err := runKind(ctx, k, s); err != nil {
			log.Fatalf("migratebench: %s: %v", k.name, err)
		}
	}
	if s.dsn == "" {
		fmt.Println("\nPostgreSQL skipped: GORMEXT_TEST_POSTGRES_DSN is not set.")
	}
}

func runKind(ctx context.Context, k kind, s settings) error {
	fmt.Printf("\n### %s\n\n| operation | migrate | goose | migrate / goose |\n|---|---:|---:|---:|\n", k.name)
	ops := []struct {
		name string
		fn   func(context.Context, kind, tool, settings) (time.Duration, error)
	}{
		{fmt.Sprintf("status, %d applied (per call)", s.statusFiles), timeStatus},
		{fmt.Sprintf("up, %d small migrations", s.upMigrations), timeUp},
	}
	tools := []tool{migrateTool{}, gooseTool{}}
	for _, op := range ops {
		times := make([][]time.Duration, len(tools))
		// The tools take turns within each round, first one then the
		// other, so that a burst of load on the machine hits both alike.
		for r := range s.rounds {
			for j := range tools {
				i := (r + j) % len(tools)
				d, err := op.fn(ctx, k, tools[i], s)
				if err != nil {
					return fmt.Errorf("%s, %s: %w", op.name, tools[i].name(), err)
				}
				times[i] = append(times[i], d)
			}
		}
		m, g := median(times[0]), median(times[1])
		fmt.Printf("| %s | %s | %s | %.2f |\n", op.name, round(m), round(g), float64(m)/float64(g))
	}
	return nil
}

// timeStatus applies statusFiles migrations once, then times status calls.
func timeStatus(ctx context.Context, k kind, t tool, s settings) (time.Duration, error) {
	db, cleanup, err := k.fresh(ctx)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	r, err := t.prepare(db, k.dialect, noops(t.format(), s.statusFiles))
	if err != nil {
		return 0, err
	}
	if err := r.up(ctx); err != nil {
		return 0, err
	}
	start := time.Now()
	for range s.statusCalls {
		if err := r.status(ctx); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(s.statusCalls), nil
}

// timeUp times one up of upMigrations CREATE TABLE migrations.
func timeUp(ctx context.Context, k kind, t tool, s settings) (time.Duration, error) {
	db, cleanup, err := k.fresh(ctx)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	r, err := t.prepare(db, k.dialect, tables(t.format(), s.upMigrations))
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := r.up(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(100 * time.Nanosecond).String()
}
