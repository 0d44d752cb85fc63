package database

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// ignoredURLOptions are the query options of a SQLAlchemy URL that only a
// Python driver reads (asyncpg's statement caches, SQLAlchemy's
// async_fallback, sqlite3's check_same_thread, ...). [Open] drops them, so
// that a URL a Python service uses works as is. Every other option is
// either translated (asyncpg's ssl, sqlite3's timeout and uri, psycopg2's
// repeated host), refused with an error naming it, or handed to the driver.
var ignoredURLOptions = map[string][]string{
	"postgres": {
		"async_fallback",
		"prepared_statement_cache_size",
		"statement_cache_size",
		"max_cached_statement_lifetime",
		"max_cacheable_statement_size",
	},
	"sqlite": {
		"check_same_thread",
		"cached_statements",
		"detect_types",
	},
}

// refusedPostgresOptions are Python driver options whose meaning would be
// lost if ignored, with what to use instead.
var refusedPostgresOptions = map[string]string{
	"command_timeout": "asyncpg's statement timeout has no URL equivalent here: use a context deadline, or ?statement_timeout=<milliseconds> (a server setting)",
	"timeout":         "asyncpg's connect timeout: use ?connect_timeout=<seconds>",
}

// sslModes are the values libpq's sslmode (and asyncpg's ssl) accept.
var sslModes = map[string]bool{
	"disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true,
}

// postgresOptions reads the query of a PostgreSQL URL and translates what
// a Python driver would read differently. changed reports whether the
// query must be re-encoded. Errors name the option, never its value.
func postgresOptions(raw string) (q url.Values, changed bool, err error) {
	if q, err = parseQuery(raw, "PostgreSQL"); err != nil {
		return nil, false, err
	}
	for name, instead := range refusedPostgresOptions {
		if q.Has(name) {
			return nil, false, fmt.Errorf("%w: PostgreSQL URL option %q: %s", ErrUnsupportedURL, name, instead)
		}
	}
	changed = dropIgnored(q, "postgres")
	for _, translate := range []func(url.Values) (bool, error){translateSSL, joinHosts} {
		done, err := translate(q)
		if err != nil {
			return nil, false, err
		}
		changed = changed || done
	}
	return q, changed, nil
}

func dropIgnored(q url.Values, dialect string) (changed bool) {
	for _, name := range ignoredURLOptions[dialect] {
		if q.Has(name) {
			q.Del(name)
			changed = true
		}
	}
	return changed
}

// translateSSL turns asyncpg's ?ssl=<mode> into libpq's ?sslmode=<mode>.
func translateSSL(q url.Values) (bool, error) {
	v, ok := q["ssl"]
	if !ok {
		return false, nil
	}
	if len(v) != 1 || !sslModes[v[0]] {
		return false, fmt.Errorf("%w: PostgreSQL URL option %q: want one of disable, allow, prefer, require, verify-ca, verify-full (asyncpg's ssl is read as sslmode)", ErrUnsupportedURL, "ssl")
	}
	if m, ok := q["sslmode"]; ok && (len(m) != 1 || m[0] != v[0]) {
		return false, fmt.Errorf("%w: PostgreSQL URL options %q and %q disagree: keep sslmode", ErrUnsupportedURL, "ssl", "sslmode")
	}
	q.Set("sslmode", v[0])
	q.Del("ssl")
	return true, nil
}

// joinHosts turns psycopg2's repeated ?host=a:5432&host=b:5433 into the
// host=a,b&port=5432,5433 pgx reads; a host without a port gets 5432.
func joinHosts(q url.Values) (bool, error) {
	hosts := q["host"]
	if len(hosts) < 2 {
		return false, nil
	}
	if q.Has("port") {
		return false, fmt.Errorf("%w: PostgreSQL URL options %q and %q together: give each port as host=name:port", ErrUnsupportedURL, "host", "port")
	}
	names := make([]string, len(hosts))
	ports := make([]string, len(hosts))
	anyPort := false
	for i, h := range hosts {
		names[i], ports[i] = h, "5432"
		if at := strings.LastIndexByte(h, ':'); at >= 0 && !strings.HasSuffix(h, "]") {
			if _, err := strconv.ParseUint(h[at+1:], 10, 16); err != nil {
				return false, fmt.Errorf("%w: PostgreSQL URL option %q: a port that is not a number from 0 to 65535", ErrUnsupportedURL, "host")
			}
			names[i], ports[i], anyPort = h[:at], h[at+1:], true
		}
	}
	q.Set("host", strings.Join(names, ","))
	if anyPort {
		q.Set("port", strings.Join(ports, ","))
	}
	return true, nil
}

// sqliteOptions translates the options Python's sqlite3 reads in a
// SQLAlchemy URL into go-sqlite3's, in place, and returns the file path
// (changed by uri=true). Other options go to go-sqlite3 as they are.
func sqliteOptions(path string, q url.Values) (string, error) {
	dropIgnored(q, "sqlite")
	if q.Has("isolation_level") {
		return "", fmt.Errorf("%w: SQLite URL option %q: use _txlock=deferred, immediate or exclusive", ErrUnsupportedURL, "isolation_level")
	}
	if err := translateTimeout(q); err != nil {
		return "", err
	}
	return translateURI(path, q)
}

// translateTimeout turns sqlite3's ?timeout=<seconds> into
// _busy_timeout=<milliseconds>; an explicit _busy_timeout wins.
func translateTimeout(q url.Values) error {
	if !q.Has("timeout") {
		return nil
	}
	s, err := strconv.ParseFloat(q.Get("timeout"), 64)
	if err != nil || s < 0 || math.IsNaN(s) || s > math.MaxInt32/1000 {
		return fmt.Errorf("%w: SQLite URL option %q: want seconds, such as 5 or 0.5", ErrUnsupportedURL, "timeout")
	}
	q.Del("timeout")
	setDefault(q, "_busy_timeout", strconv.FormatInt(int64(s*1000), 10))
	return nil
}

// translateURI reads sqlite3's ?uri=true: the path is then a file: URI
// whose other options (mode=ro, cache=shared) go to SQLite.
func translateURI(path string, q url.Values) (string, error) {
	if !q.Has("uri") {
		return path, nil
	}
	uri, err := strconv.ParseBool(q.Get("uri"))
	if err != nil {
		return "", fmt.Errorf("%w: SQLite URL option %q: want true or false", ErrUnsupportedURL, "uri")
	}
	q.Del("uri")
	if uri {
		path = strings.TrimPrefix(path, "file:")
	}
	return path, nil
}
