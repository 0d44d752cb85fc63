// Command sidebyside times gormext beside plain GORM, raw database/sql on
// the same driver (the floor) and, for transactions on PostgreSQL,
// go-transaction-manager (trm) over pgx, in one process, and prints a
// Markdown table of times and ratios per database.
//
//	cd bench && go run ./cmd/sidebyside              # SQLite in memory
//	GORMEXT_TEST_POSTGRES_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable" \
//		go run ./cmd/sidebyside                       # and PostgreSQL
//
// The contenders of an operation run in one loop, in an order that rotates
// every iteration, so a burst of load on the machine hits them alike. Each
// round runs a fixed number of iterations after a short warm-up; the table
// shows the median over the rounds. -scale multiplies the iterations.
//
// On PostgreSQL it works in a schema of its own, dropped when done.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"
)

// settings are the command-line flags.
type settings struct {
	dsn    string
	iters  int
	rounds int
}

func main() {
	var s settings
	scale := flag.Float64("scale", 1, "multiplies the iterations per round (runtime grows with it)")
	flag.IntVar(&s.rounds, "rounds", 7, "timed rounds per operation (the median is reported)")
	flag.StringVar(&s.dsn, "dsn", os.Getenv("GORMEXT_TEST_POSTGRES_DSN"), "PostgreSQL DSN; empty runs SQLite only")
	flag.Parse()
	s.iters = max(1, int(500**scale))
	if s.rounds < 1 {
		log.Fatal("sidebyside: -rounds must be at least 1")
	}
	start := time.Now()
	fmt.Printf("%s, %d iterations x %d rounds per operation\n", machine(), s.iters, s.rounds)
	// Interrupted, the queries end and the PostgreSQL schema is dropped.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := runAll(ctx, s); err != nil {
		stop()
		log.Fatal("sidebyside: ", err)
	}
	fmt.Println("\nCreate through GORM (gormext and plain) runs in GORM's default transaction")
	fmt.Println("(BEGIN, INSERT, COMMIT); the database/sql row sends the INSERT alone.")
	fmt.Println("\nmorkid/paginate is not served by the module proxy: offset pages are compared")
	fmt.Println("with the same query written by hand with GORM (Offset/Limit plus Count).")
	fmt.Printf("\ntotal run time %v\n", time.Since(start).Round(time.Second))
}

func runAll(ctx context.Context, s settings) error {
	if err := runOn(ctx, "SQLite (in memory)", "sqlite::memory:", s); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if s.dsn == "" {
		fmt.Println("\nPostgreSQL skipped: GORMEXT_TEST_POSTGRES_DSN is not set.")
		return nil
	}
	if err := runPostgres(ctx, s); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// runOn measures every operation on one database and prints its table.
func runOn(ctx context.Context, title, url string, s settings) error {
	f, err := openFixture(ctx, url)
	if err != nil {
		return err
	}
	defer f.close()
	if f.pgx != nil {
		title += " " + f.version
	}
	fmt.Printf("\n### %s\n\n", title)
	printHeader()
	ops, err := operations(ctx, f)
	if err != nil {
		return err
	}
	for _, op := range ops {
		rows, err := measure(op.contenders, s)
		if err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		printRows(op.name, rows)
	}
	return nil
}

// machine describes where the figures come from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s %s/%s", runtime.NumCPU(), cpu, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
