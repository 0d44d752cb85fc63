package database

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// dialect is the database family a URL names.
type dialect int

const (
	dialectPostgres dialect = iota + 1
	dialectSQLite
)

func (d dialect) String() string {
	switch d {
	case dialectPostgres:
		return "postgres"
	case dialectSQLite:
		return "sqlite"
	}
	return "unknown"
}

// target is a parsed Config.URL.
type target struct {
	dialect dialect
	// dsn is what the driver is given: a pgx connection string, or a SQLite
	// path (empty for in-memory) before the driver options are added.
	dsn string
	// memory is true for sqlite::memory:.
	memory bool
	// query holds extra SQLite driver parameters given in the URL.
	query url.Values
}

const memoryURL = "sqlite::memory:"

// parseURL reads a Config.URL. Its errors never include a password.
func parseURL(raw string) (target, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return target{}, fmt.Errorf("%w: the URL is empty (examples: postgres://user@host/db, sqlite://app.db, sqlite::memory:)", ErrUnsupportedURL)
	case raw == memoryURL || raw == "sqlite://:memory:":
		return target{dialect: dialectSQLite, memory: true}, nil
	case strings.HasPrefix(raw, "sqlite://"):
		return parseSQLite(strings.TrimPrefix(raw, "sqlite://"))
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return target{}, fmt.Errorf("%w: malformed PostgreSQL URL %q", ErrUnsupportedURL, Redact(raw))
		}
		return target{dialect: dialectPostgres, dsn: raw}, nil
	case isKeywordDSN(raw):
		return target{dialect: dialectPostgres, dsn: raw}, nil
	}
	return target{}, fmt.Errorf("%w: %q (supported: postgres://, postgresql://, host=... keyword/value, sqlite://path, sqlite::memory:)",
		ErrUnsupportedURL, schemeOf(raw))
}

// parseSQLite reads the part of a sqlite:// URL after the scheme: a path,
// optionally followed by ?driver_option=value pairs.
func parseSQLite(rest string) (target, error) {
	path, rawQuery, _ := strings.Cut(rest, "?")
	if path == "" {
		return target{}, fmt.Errorf("%w: sqlite:// needs a file path (sqlite://app.db, sqlite:///var/lib/app.db) or use sqlite::memory:", ErrUnsupportedURL)
	}
	if path == ":memory:" {
		return target{dialect: dialectSQLite, memory: true}, nil
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return target{}, fmt.Errorf("%w: malformed options in sqlite URL: %v", ErrUnsupportedURL, err)
	}
	return target{dialect: dialectSQLite, dsn: path, query: query}, nil
}

var keywordDSN = regexp.MustCompile(`^\s*(host|hostaddr|port|user|dbname|password|sslmode)\s*=`)

// isKeywordDSN reports whether raw looks like a libpq keyword/value string.
func isKeywordDSN(raw string) bool { return keywordDSN.MatchString(raw) }

// schemeOf names what a rejected URL started with, without echoing the rest.
func schemeOf(raw string) string {
	if i := strings.Index(raw, "://"); i > 0 {
		return raw[:i] + "://"
	}
	if i := strings.IndexAny(raw, ":/ "); i > 0 {
		return raw[:i]
	}
	if len(raw) > 20 {
		return raw[:20] + "..."
	}
	return raw
}

var keywordPassword = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// Redact returns a database URL or DSN with its password replaced by "xxxxx",
// for logs and error messages.
func Redact(raw string) string {
	if strings.Contains(raw, "://") {
		if u, err := url.Parse(raw); err == nil {
			return u.Redacted()
		}
		return "<malformed URL>"
	}
	return keywordPassword.ReplaceAllString(raw, "${1}xxxxx")
}
