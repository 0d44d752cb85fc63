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
//
// URLs are read as SQLAlchemy reads them: the scheme is dialect[+driver],
// where the driver names a Python DBAPI and is ignored; sqlite:// and
// sqlite:///:memory: are in memory, sqlite:///x.db is the relative path x.db
// and sqlite:////x.db the absolute one. sqlite://x.db (no third slash,
// which SQLAlchemy refuses) stays a relative path.
func parseURL(raw string) (target, error) {
	raw = strings.TrimSpace(raw)
	if err := checkURLText(raw); err != nil {
		return target{}, err
	}
	if strings.EqualFold(raw, memoryURL) {
		return target{dialect: dialectSQLite, memory: true}, nil
	}
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		if isKeywordDSN(raw) {
			return target{dialect: dialectPostgres, dsn: raw}, nil
		}
		return target{}, unsupportedScheme(raw)
	}
	name, err := schemeDialect(scheme)
	if err != nil {
		return target{}, err
	}
	switch name {
	case "sqlite":
		return parseSQLite(rest)
	case "postgres", "postgresql":
		return parsePostgres(name, rest)
	}
	return target{}, unsupportedScheme(raw)
}

func unsupportedScheme(raw string) error {
	return fmt.Errorf("%w: %s (supported: postgresql[+driver]://, postgres://, host=... keyword/value, sqlite[+driver]:///path, sqlite::memory:)",
		ErrUnsupportedURL, schemeOf(raw))
}

// checkURLText rejects what no database URL contains.
func checkURLText(raw string) error {
	switch {
	case raw == "":
		return fmt.Errorf("%w: the URL is empty (examples: postgresql://user@host/db, sqlite:///app.db, sqlite::memory:)", ErrUnsupportedURL)
	case len(raw) > maxURLLength:
		return fmt.Errorf("%w: the URL is %d bytes long (at most %d)", ErrUnsupportedURL, len(raw), maxURLLength)
	case strings.ContainsRune(raw, 0):
		return fmt.Errorf("%w: the URL contains a NUL byte", ErrUnsupportedURL)
	}
	return nil
}

var driverName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// schemeDialect returns the dialect part of a SQLAlchemy scheme
// (dialect[+driver]), lower-cased, with the driver dropped.
func schemeDialect(scheme string) (string, error) {
	name, driver, hasDriver := strings.Cut(strings.ToLower(scheme), "+")
	if !hasDriver {
		return name, nil
	}
	if !driverName.MatchString(driver) {
		// The driver is not echoed: a malformed URL may have a password there.
		return "", fmt.Errorf("%w: malformed driver after + in the scheme (want a Python driver name such as asyncpg, psycopg2 or aiosqlite, which is ignored)", ErrUnsupportedURL)
	}
	if name == "sqlite" && driver == "pysqlcipher" {
		return "", fmt.Errorf("%w: sqlite+pysqlcipher (an encrypted database) is not supported: the SQLite driver cannot apply its key", ErrUnsupportedURL)
	}
	return name, nil
}

// parsePostgres reads the part of a postgres:// or postgresql:// URL after
// the scheme, and gives pgx a URL without the Python driver and with the
// query options translated (see postgresOptions).
func parsePostgres(name, rest string) (target, error) {
	dsn := name + "://" + rest
	u, err := url.Parse(dsn)
	if err != nil {
		// err quotes the URL, password included: say what to fix instead.
		return target{}, fmt.Errorf("%w: malformed PostgreSQL URL (percent-encode special characters of the user and password: @ as %%40, / as %%2F, %% as %%25)", ErrUnsupportedURL)
	}
	if u.RawQuery == "" {
		return target{dialect: dialectPostgres, dsn: dsn}, nil
	}
	query, changed, err := postgresOptions(u.RawQuery)
	if err != nil {
		return target{}, err
	}
	if changed {
		u.RawQuery = query.Encode()
		dsn = u.String()
	}
	return target{dialect: dialectPostgres, dsn: dsn}, nil
}

// parseSQLite reads the part of a sqlite:// URL after the scheme: a path,
// optionally followed by ?option=value pairs (see sqliteOptions).
func parseSQLite(rest string) (target, error) {
	path, rawQuery, _ := strings.Cut(rest, "?")
	query, err := parseQuery(rawQuery, "sqlite")
	if err != nil {
		return target{}, err
	}
	if path, err = sqliteOptions(sqlitePath(path), query); err != nil {
		return target{}, err
	}
	if path == "" || path == ":memory:" {
		return target{dialect: dialectSQLite, memory: true, query: query}, nil
	}
	return target{dialect: dialectSQLite, dsn: path, query: query}, nil
}

// sqlitePath returns the file a sqlite:// URL names, as SQLAlchemy reads
// it: after the host part (empty in sqlite:///x.db) and one slash. A URL
// with a host part (sqlite://app.db) names the relative path app.db, as
// before. "" and ":memory:" mean in memory.
func sqlitePath(path string) string {
	if strings.HasPrefix(path, "/") {
		return path[1:]
	}
	return path
}

// parseQuery reads URL query options without echoing them in errors (a
// password may be among them).
func parseQuery(raw, what string) (url.Values, error) {
	query, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed options in %s URL (percent-encode & = ; # %% + and spaces in option values)", ErrUnsupportedURL, what)
	}
	return query, nil
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

// queryPassword is a password option in a URL's query (libpq and pgx read
// ?password= as they read the user information's).
var queryPassword = regexp.MustCompile(`(^|&)(password=)[^&]*`)

// Redact returns a database URL or DSN with its password replaced by "xxxxx",
// in the user information and in a password option, for logs and error
// messages.
func Redact(raw string) string {
	if strings.Contains(raw, "://") {
		if u, err := url.Parse(raw); err == nil {
			u.RawQuery = queryPassword.ReplaceAllString(u.RawQuery, "${1}${2}xxxxx")
			return u.Redacted()
		}
		return "<malformed URL>"
	}
	return keywordPassword.ReplaceAllString(raw, "${1}xxxxx")
}
