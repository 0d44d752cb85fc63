package migrate

import (
	"bytes"
	"fmt"
	"strings"
)

// File renders the plan as a migration file: Up, Down, and comments on
// what a reader must check (destructive changes, possible renames).
func (p *Plan) File() []byte {
	var b bytes.Buffer
	b.WriteString("-- Generated from the models by migrate diff; review before applying.\n")
	for _, d := range p.Destructive {
		fmt.Fprintf(&b, "-- WARNING: destructive: %s.\n", d)
	}
	for _, r := range p.Renames {
		fmt.Fprintf(&b, "-- NOTE: a rename cannot be told from a drop and an add: %s.\n", r)
	}
	b.WriteString(UpMarker + "\n")
	writeStatements(&b, p.Up)
	b.WriteString("\n" + DownMarker + "\n")
	writeStatements(&b, p.Down)
	return b.Bytes()
}

func writeStatements(b *bytes.Buffer, stmts []string) {
	for _, s := range stmts {
		b.WriteString(terminated(strings.TrimSpace(s)) + "\n")
	}
}
