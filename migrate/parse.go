package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	atlasmigrate "ariga.io/atlas/sql/migrate"
)

// The markers that open a file's sections, each alone on its line.
const (
	UpMarker   = "-- migrate:up"
	DownMarker = "-- migrate:down"
)

// fileName is VERSION_NAME.sql: a positive number, an underscore, a name.
var fileName = regexp.MustCompile(`^([0-9]+)_([A-Za-z0-9][A-Za-z0-9_\-]*)\.sql$`)

// parseName reads the version and name of a migration file.
func parseName(name string) (int64, string, error) {
	m := fileName.FindStringSubmatch(name)
	if m == nil {
		return 0, "", fmt.Errorf("%w: %s: the name must be VERSION_NAME.sql, such as 20260126104500_add_users.sql", ErrInvalidMigration, name)
	}
	v, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || v <= 0 {
		return 0, "", fmt.Errorf("%w: %s: the version must be a positive 64-bit number", ErrInvalidMigration, name)
	}
	return v, m[2], nil
}

// parseFile reads a migration file: its name and its Up and Down sections.
func parseFile(name string, body []byte) (*Migration, error) {
	v, n, err := parseName(name)
	if err != nil {
		return nil, err
	}
	up, down, err := parseSections(name, string(body))
	if err != nil {
		return nil, err
	}
	return &Migration{Version: v, Name: n, Source: name, UpSQL: up, DownSQL: down, Checksum: checksum(body)}, nil
}

// section is a marker's place in the file.
type section struct {
	line, offset int // the line after the marker, and its byte offset
	end          int // byte offset where the section ends
}

func parseSections(name, text string) (up, down []Statement, err error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil, fmt.Errorf("%w: %s is empty: it needs a %q and a %q section", ErrInvalidMigration, name, UpMarker, DownMarker)
	}
	secs, err := findSections(name, text)
	if err != nil {
		return nil, nil, err
	}
	if up, err = statements(name, text, secs[0]); err != nil {
		return nil, nil, err
	}
	if len(up) == 0 {
		return nil, nil, fmt.Errorf("%w: %s: the %q section has no statement", ErrInvalidMigration, name, UpMarker)
	}
	if down, err = statements(name, text, secs[1]); err != nil {
		return nil, nil, err
	}
	return up, down, nil
}

// findSections locates the Up and Down markers: each exactly once, Up
// first, nothing but comments and blank lines before Up.
func findSections(name, text string) ([2]section, error) {
	var secs [2]section
	var seen [2]bool
	offset := 0
	for i, line := range strings.SplitAfter(text, "\n") {
		idx := markerIndex(line)
		switch {
		case idx < 0:
			if !seen[0] && !isComment(line) {
				return secs, fmt.Errorf("%w: %s line %d: SQL before the %q marker", ErrInvalidMigration, name, i+1, UpMarker)
			}
		case seen[idx]:
			return secs, fmt.Errorf("%w: %s line %d: a second %q marker", ErrInvalidMigration, name, i+1, markers[idx])
		case idx == 1 && !seen[0]:
			return secs, fmt.Errorf("%w: %s line %d: %q before %q", ErrInvalidMigration, name, i+1, DownMarker, UpMarker)
		default:
			seen[idx] = true
			secs[idx] = section{line: i + 2, offset: offset + len(line)}
			if idx == 1 {
				secs[0].end = offset
			}
		}
		offset += len(line)
	}
	for i, ok := range seen {
		if !ok {
			return secs, fmt.Errorf("%w: %s has no %q section (write the marker with nothing after it for a migration that cannot be reverted)", ErrInvalidMigration, name, markers[i])
		}
	}
	secs[1].end = len(text)
	return secs, nil
}

var markers = [2]string{UpMarker, DownMarker}

// markerIndex is 0 for the Up marker, 1 for Down, -1 for any other line.
func markerIndex(line string) int {
	l := strings.ToLower(strings.Join(strings.Fields(line), " "))
	for i, m := range markers {
		if l == m {
			return i
		}
	}
	return -1
}

func isComment(line string) bool {
	l := strings.TrimSpace(line)
	return l == "" || strings.HasPrefix(l, "--")
}

// statements splits a section into statements with Atlas's SQL scanner
// (quotes, dollar quoting, comments, BEGIN ... END bodies).
func statements(name, text string, s section) ([]Statement, error) {
	body := text[s.offset:s.end]
	stmts, err := scanner().Scan(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidMigration, name, err)
	}
	out := make([]Statement, 0, len(stmts))
	for _, st := range stmts {
		sql := strings.TrimSpace(st.Text)
		if sql == "" || sql == ";" {
			continue
		}
		line := s.line + strings.Count(body[:st.Pos], "\n")
		if isTxControl(sql) {
			return nil, fmt.Errorf("%w: %s line %d: %q: each migration already runs in a transaction of its own; remove the statement",
				ErrInvalidMigration, name, line, abbreviate(firstLine(sql)))
		}
		out = append(out, Statement{SQL: sql, Line: line})
	}
	return out, nil
}

// scanner is Atlas's SQL scanner set as its PostgreSQL driver sets it,
// which also covers SQLite's: BEGIN ... END bodies (SQLite triggers),
// BEGIN ATOMIC, dollar quoting and E'...' strings keep their semicolons.
func scanner() *atlasmigrate.Scanner {
	return &atlasmigrate.Scanner{ScannerOptions: atlasmigrate.ScannerOptions{
		MatchBegin:       true,
		MatchBeginAtomic: true,
		MatchDollarQuote: true,
		EscapedStringExt: true,
	}}
}

// isTxControl reports whether a statement begins, commits or rolls back a
// transaction (ROLLBACK TO a savepoint aside), which would break the
// runner's transaction around the migration.
func isTxControl(stmt string) bool {
	words := strings.Fields(strings.ToUpper(strings.ReplaceAll(stmt, ";", " ")))
	if len(words) == 0 {
		return false
	}
	second := ""
	if len(words) > 1 {
		second = words[1]
	}
	switch words[0] {
	case "COMMIT", "END", "ABORT":
		return true
	case "ROLLBACK":
		return second != "TO" && (len(words) < 3 || words[2] != "TO")
	case "START":
		return second == "TRANSACTION"
	case "BEGIN":
		switch second {
		case "", "TRANSACTION", "WORK", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "ISOLATION", "READ":
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
