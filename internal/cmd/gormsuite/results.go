package main

import (
	"bufio"
	"encoding/json"
	"io"
	"slices"
	"strings"
)

// event is one line of `go tool test2json` output.
type event struct {
	Action string
	Test   string
	Output string
}

// outcome is what one run of the suite did.
type outcome struct {
	// Passed, Failed and Skipped name the top-level tests by result.
	Passed, Failed, Skipped []string
	// FailedAt names every failed test, subtests included.
	FailedAt []string
	// Crashed is set when the test binary failed without a test failing
	// (a panic, a failed init); Tail is the end of its output.
	Crashed bool
	Tail    []string
}

// tailLines is how much output a crash report keeps.
const tailLines = 30

// readOutcome reads a test2json stream.
func readOutcome(r io.Reader) (outcome, error) {
	var o outcome
	packageFailed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			continue // not an event: a line the binary printed before test2json took over
		}
		packageFailed = o.add(e) || packageFailed
	}
	o.Crashed = packageFailed && len(o.FailedAt) == 0
	return o, sc.Err()
}

// add records e and reports whether it is the whole run failing.
func (o *outcome) add(e event) bool {
	if e.Action == "output" {
		o.Tail = append(o.Tail, strings.TrimRight(e.Output, "\n"))
		if len(o.Tail) > tailLines {
			o.Tail = o.Tail[len(o.Tail)-tailLines:]
		}
		return false
	}
	if e.Test == "" {
		return e.Action == "fail"
	}
	if e.Action == "fail" {
		o.FailedAt = append(o.FailedAt, e.Test)
	}
	if strings.Contains(e.Test, "/") {
		return false
	}
	switch e.Action {
	case "pass":
		o.Passed = append(o.Passed, e.Test)
	case "fail":
		o.Failed = append(o.Failed, e.Test)
	case "skip":
		o.Skipped = append(o.Skipped, e.Test)
	}
	return false
}

// onlyIn returns the tests failed in o that did not fail in base, sorted.
func (o outcome) onlyIn(base outcome) []string {
	var only []string
	for _, t := range o.FailedAt {
		if !slices.Contains(base.FailedAt, t) {
			only = append(only, t)
		}
	}
	slices.Sort(only)
	return slices.Compact(only)
}

// lost returns the top-level tests that passed in base and did not pass in
// o (failed, skipped, or never run because the binary crashed), sorted.
func (o outcome) lost(base outcome) []string {
	var lost []string
	for _, t := range base.Passed {
		if !slices.Contains(o.Passed, t) {
			lost = append(lost, t)
		}
	}
	slices.Sort(lost)
	return lost
}
