package main

import (
	"fmt"
	"io"
	"strings"
)

// report prints one database's comparison and reports whether nothing
// failed only through database.Open.
func report(w io.Writer, dialect string, got map[string]outcome) bool {
	base, ext := got["gorm"], got["gormext"]
	fmt.Fprintf(w, "## %s\n\n| opener | passed | failed | skipped |\n|---|---|---|---|\n", dialect)
	for _, opener := range openers {
		o := got[opener]
		fmt.Fprintf(w, "| %s | %d | %d | %d |\n", openerName(opener), len(o.Passed), len(o.Failed), len(o.Skipped))
	}
	fmt.Fprintln(w)
	list(w, "failing through both", intersect(ext.FailedAt, base.FailedAt))
	only, lost := ext.onlyIn(base), ext.lost(base)
	list(w, "failing only through database.Open", only)
	list(w, "passing through gorm.Open only", lost)
	list(w, "failing only through gorm.Open", base.onlyIn(ext))
	for _, opener := range openers {
		if o := got[opener]; o.Crashed {
			fmt.Fprintf(w, "the %s run failed outside any test; its output ends:\n\n    %s\n\n", openerName(opener), strings.Join(o.Tail, "\n    "))
		}
	}
	return len(only) == 0 && len(lost) == 0 && !ext.Crashed
}

func openerName(opener string) string {
	if opener == "gormext" {
		return "database.Open"
	}
	return "gorm.Open"
}

func list(w io.Writer, title string, tests []string) {
	if len(tests) == 0 {
		return
	}
	fmt.Fprintf(w, "%s (%d):\n", title, len(tests))
	for _, t := range tests {
		fmt.Fprintf(w, "- %s\n", t)
	}
	fmt.Fprintln(w)
}

func intersect(a, b []string) []string {
	var both []string
	for _, t := range a {
		for _, u := range b {
			if t == u {
				both = append(both, t)
				break
			}
		}
	}
	return both
}
