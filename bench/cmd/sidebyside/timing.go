package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/gormext/gormext/internal/benchkit"
)

// contender is one implementation of an operation.
type contender struct {
	name string
	run  func() error
	// base names another contender of the operation that is this one's
	// own floor (trm's is pgx); its ratio is printed beside the name.
	base string
}

// row is a contender's result: its median time per operation and its
// median ratios to plain GORM and to database/sql (0 when absent).
type row struct {
	name            string
	perOp           time.Duration
	vsGORM, vsFloor float64
	vsBase          float64 // to contender.base, 0 when none
}

// Contender names the ratios refer to.
const (
	nameGORM  = "GORM"
	nameFloor = "database/sql"
)

// measure runs the contenders interleaved: a warm-up, then s.rounds rounds
// of s.iters iterations, each iteration running every contender once.
func measure(cs []contender, s settings) ([]row, error) {
	if err := loop(cs, max(10, s.iters/10), nil); err != nil {
		return nil, err
	}
	perRound := make([][]time.Duration, s.rounds) // [round][contender] mean
	for r := range perRound {
		total := make([]time.Duration, len(cs))
		if err := loop(cs, s.iters, total); err != nil {
			return nil, err
		}
		for j := range total {
			total[j] /= time.Duration(s.iters)
		}
		perRound[r] = total
	}
	return summarize(cs, perRound), nil
}

// loop runs n iterations, each running every contender once in a random
// order (see benchkit.Rounds), adding each contender's time to total when
// given.
func loop(cs []contender, n int, total []time.Duration) error {
	next := benchkit.Rounds(len(cs))
	for range n {
		for _, j := range next() {
			start := time.Now()
			if err := cs[j].run(); err != nil {
				return fmt.Errorf("%s: %w", cs[j].name, err)
			}
			if total != nil {
				total[j] += time.Since(start)
			}
		}
	}
	return nil
}

// summarize takes medians over the rounds; a ratio is the median of the
// per-round ratios, both sides timed in the same round.
func summarize(cs []contender, perRound [][]time.Duration) []row {
	gorm, floor := index(cs, nameGORM), index(cs, nameFloor)
	rows := make([]row, len(cs))
	for j, c := range cs {
		var times []time.Duration
		var toGORM, toFloor []float64
		for _, round := range perRound {
			times = append(times, round[j])
			if gorm >= 0 {
				toGORM = append(toGORM, float64(round[j])/float64(round[gorm]))
			}
			if floor >= 0 {
				toFloor = append(toFloor, float64(round[j])/float64(round[floor]))
			}
		}
		rows[j] = row{name: c.name, perOp: median(times), vsGORM: median(toGORM), vsFloor: median(toFloor)}
		if b := index(cs, c.base); b >= 0 {
			var toBase []float64
			for _, round := range perRound {
				toBase = append(toBase, float64(round[j])/float64(round[b]))
			}
			rows[j].vsBase = median(toBase)
			rows[j].name += fmt.Sprintf(" (%.2fx %s)", rows[j].vsBase, c.base)
		}
	}
	return rows
}

func index(cs []contender, name string) int {
	return slices.IndexFunc(cs, func(c contender) bool { return c.name == name })
}

func median[T time.Duration | float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func printHeader() {
	fmt.Println("| operation | contender | time/op | × GORM | × database/sql |")
	fmt.Println("|---|---|---:|---:|---:|")
}

func printRows(op string, rows []row) {
	for i, r := range rows {
		if i > 0 {
			op = ""
		}
		fmt.Printf("| %s | %s | %s | %s | %s |\n", op, r.name, duration(r.perOp), ratio(r.vsGORM), ratio(r.vsFloor))
	}
}

func duration(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

func ratio(x float64) string {
	if x == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2fx", x)
}
