package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/txctx"
)

// tour carries what every step needs: where to print and the clock.
type tour struct {
	w     io.Writer
	clock *tourClock
	step  int
	err   error // the first write error; later output is skipped

	ada, grace Author // created in the entities step, used by later steps
}

// takeTour runs every step of the tour on db, in order.
func takeTour(ctx context.Context, w io.Writer, db *gorm.DB, clock *tourClock) error {
	t := &tour{w: w, clock: clock}
	ctx = txctx.WithDB(ctx, db) // from here on, code asks txctx.DB(ctx) for the session
	t.say("gormext quickstart: a guided tour (clock starts at %s)", clock.Now().Format(time.RFC3339))
	steps := []func(context.Context) error{
		t.createTables,
		t.entities,
		t.validation,
		t.immutability,
		t.listing,
		t.savepoints,
		t.afterCommit,
		t.independentTransactions,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	t.say("")
	t.say("done: every step ran on one database, bound once with txctx.WithDB.")
	return t.err
}

// section starts a numbered step of the tour.
func (t *tour) section(title string) {
	t.step++
	t.say("")
	t.say("%d. %s", t.step, title)
}

// say prints one line of the tour.
func (t *tour) say(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format+"\n", args...)
}

// hhmm formats a time of the tour's clock.
func hhmm(at time.Time) string { return at.UTC().Format("15:04") }

// quoteAll formats strings as a list of quoted strings.
func quoteAll(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(quoted, ", ")
}
