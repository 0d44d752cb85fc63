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

// maxURLLength bounds what parseURL accepts: no real URL comes near it.
const maxURLLength = 8192

// parseURL reads a Config.URL. Its errors never include a password.
func parseURL(raw string) (target, error) {
	raw = strings.TrimSpace(raw)
	if err := checkURLText(raw); err != nil {
		return target{}, err
	}
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	scheme = strings.ToLower(scheme)
	switch {
	case strings.EqualFold(raw, memoryURL) || strings.EqualFold(raw, "sqlite://:memory:"):
		return target{dialect: dialectSQLite, memory: true}, nil
	case hasScheme && scheme == "sqlite":
		return parseSQLite(rest)
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		return parsePostgres(raw)
	case !hasScheme && isKeywordDSN(raw):
		return target{dialect: dialectPostgres, dsn: raw}, nil
	}
	return target{}, fmt.Errorf("%w: %s (supported: postgres://, postgresql://, host=... keyword/value, sqlite://path, sqlite::memory:)",
		ErrUnsupportedURL, schemeOf(raw))
}

// checkURLText rejects what no database URL contains.
func checkURLText(raw string) error {
	switch {
	case raw == "":
		return fmt.Errorf("%w: the URL is empty (examples: postgres://user@host/db, sqlite://app.db, sqlite::memory:)", ErrUnsupportedURL)
	case len(raw) > maxURLLength:
		return fmt.Errorf("%w: the URL is %d bytes long (at most %d)", ErrUnsupportedURL, len(raw), maxURLLength)
	case strings.ContainsRune(raw, 0):
		return fmt.Errorf("%w: the URL contains a NUL byte", ErrUnsupportedURL)
	}
	return nil
}

func parsePostgres(raw string) (target, error) {
	if _, err := url.Parse(raw); err != nil {
		// err quotes the URL, password included: say what to fix instead.
		return target{}, fmt.Errorf("%w: malformed PostgreSQL URL (percent-encode special characters of the user and password: @ as %%40, / as %%2F, %% as %%25)", ErrUnsupportedURL)
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	return target{dialect: dialectPostgres, dsn: strings.ToLower(scheme) + "://" + rest}, nil
}

// parseSQLite reads the part of a sqlite:// URL after the scheme: a path,
// optionally followed by ?driver_option=value pairs.
func parseSQLite(rest string) (target, error) {
	path, rawQuery, _ := strings.Cut(rest, "?")
	if path == "" {
		return target{}, fmt.Errorf("%w: sqlite:// needs a file path (sqlite://app.db, sqlite:///var/lib/app.db) or use sqlite::memory: for an in-memory database", ErrUnsupportedURL)
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

var schemeLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]{0,31}:`)

// schemeOf names what a rejected URL started with, without echoing the rest
// (which may hold a password).
func schemeOf(raw string) string {
	if m := schemeLike.FindString(raw); m != "" {
		if strings.HasPrefix(raw[len(m):], "//") {
			return fmt.Sprintf("unknown scheme %q", m+"//")
		}
		return fmt.Sprintf("unknown scheme %q", m)
	}
	return "the URL does not start with a scheme"
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
