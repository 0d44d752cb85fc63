package database

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultURL is the database FromEnv uses when no URL is set (unless
// [RequireURL] is given): an in-memory SQLite database, which needs no
// server and is gone when the pool is closed. FromEnv logs a warning when it
// falls back to it.
const DefaultURL = memoryURL

// The environment variables FromEnv reads by default. With [WithPrefix],
// the DATABASE_ part is replaced by the prefix.
const (
	EnvURL         = "DATABASE_URL"           // Config.URL; default DefaultURL
	EnvEcho        = "DATABASE_ECHO"          // Config.Echo: true/false, 1/0, debug
	EnvPoolSize    = "DATABASE_POOL_SIZE"     // Config.PoolSize: an integer >= 1
	EnvMaxOverflow = "DATABASE_MAX_OVERFLOW"  // Config.MaxOverflow: an integer >= 0
	EnvPoolTimeout = "DATABASE_POOL_TIMEOUT"  // Config.PoolTimeout: seconds or a Go duration, > 0
	EnvPoolRecycle = "DATABASE_POOL_RECYCLE"  // Config.PoolRecycle: seconds or a Go duration; -1 never
	EnvPoolPrePing = "DATABASE_POOL_PRE_PING" // Config.PoolPrePing: true/false, 1/0
)

// DefaultEnvPrefix is the prefix of the variables FromEnv reads without
// [WithPrefix].
const DefaultEnvPrefix = "DATABASE_"

// envNames are the variables of one prefix.
type envNames struct {
	url, echo, poolSize, maxOverflow, poolTimeout, poolRecycle, prePing string
}

func namesFor(prefix string) envNames {
	return envNames{
		url: prefix + "URL", echo: prefix + "ECHO", poolSize: prefix + "POOL_SIZE",
		maxOverflow: prefix + "MAX_OVERFLOW", poolTimeout: prefix + "POOL_TIMEOUT",
		poolRecycle: prefix + "POOL_RECYCLE", prePing: prefix + "POOL_PRE_PING",
	}
}

// FromEnv returns the Config described by the environment, the way Python
// services configure SQLAlchemy. Without options it reads:
//
//	DATABASE_URL           the URL (default sqlite::memory:, see DefaultURL)
//	DATABASE_ECHO          log every statement: true/false, 1/0, or
//	                       SQLAlchemy's "debug" (true) (default false)
//	DATABASE_POOL_SIZE     connections kept open, >= 1 (default 5)
//	DATABASE_MAX_OVERFLOW  extra connections under load, >= 0 (default 10)
//	DATABASE_POOL_TIMEOUT  wait for a free connection: seconds ("30",
//	                       "2.5") or a Go duration ("500ms") (default 30s)
//	DATABASE_POOL_RECYCLE  replace connections older than this: seconds or
//	                       a Go duration; -1 never (default 1h)
//	DATABASE_POOL_PRE_PING check a connection before handing it out:
//	                       true/false, 1/0 (default false)
//
// [WithPrefix] replaces DATABASE_ (WithPrefix("DB_") reads DB_URL,
// DB_POOL_SIZE, DB_MAX_OVERFLOW, ...), [WithURLVariable] names the URL's
// variable on its own (DATABASE_URL beside DB_POOL_SIZE), and [RequireURL]
// makes a missing URL an error matching [ErrMissingURL] instead of the
// in-memory default. Without RequireURL, the fallback to DefaultURL is
// logged at level Warn, naming the variable, through slog.Default() or
// the logger of [WithEnvLogger].
//
// An unset or empty variable means the default. A value that cannot be read
// is an error matching ErrInvalidConfig that names the variable; it is
// never silently ignored. The URL is checked by Open, not here.
func FromEnv(opts ...EnvOption) (Config, error) {
	return fromEnv(os.LookupEnv, opts...)
}

func fromEnv(lookup func(string) (string, bool), opts ...EnvOption) (Config, error) {
	s := newEnvSettings(opts)
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	url, err := envURL(s, get)
	if err != nil {
		return Config{}, err
	}
	cfg, err := envPool(namesFor(s.prefix), get)
	if err != nil {
		return Config{}, err
	}
	cfg.URL = url
	return cfg, nil
}

// envURL reads the URL, or falls back to DefaultURL with a warning.
func envURL(s envSettings, get func(string) string) (string, error) {
	name := s.urlVariable()
	if url := get(name); url != "" {
		return url, nil
	}
	if s.require {
		return "", fmt.Errorf("%w (%s is unset or empty): set it to the service's database URL (postgresql://user@host/db, sqlite:///app.db)", ErrMissingURL, name)
	}
	s.logger.Warn("database: no database URL set; using an in-memory SQLite database whose data is lost when the process exits",
		"variable", name, "url", DefaultURL)
	return DefaultURL, nil
}

// envPool reads the variables other than the URL.
func envPool(n envNames, get func(string) string) (Config, error) {
	var cfg Config
	var err error
	if cfg.Echo, err = envEcho(n.echo, get(n.echo)); err != nil {
		return Config{}, err
	}
	if cfg.PoolSize, err = envInt(n.poolSize, get(n.poolSize), 1); err != nil {
		return Config{}, err
	}
	if cfg.MaxOverflow, err = envOverflow(n.maxOverflow, get(n.maxOverflow)); err != nil {
		return Config{}, err
	}
	if cfg.PoolTimeout, err = envDuration(n.poolTimeout, get(n.poolTimeout), false); err != nil {
		return Config{}, err
	}
	if cfg.PoolRecycle, err = envDuration(n.poolRecycle, get(n.poolRecycle), true); err != nil {
		return Config{}, err
	}
	if cfg.PoolPrePing, err = envBool(n.prePing, get(n.prePing)); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func envError(name, value, want string) error {
	if len(value) > 40 {
		value = value[:40] + "..."
	}
	return fmt.Errorf("%w: %s=%q: want %s", ErrInvalidConfig, name, value, want)
}

// envEcho reads DATABASE_ECHO: a boolean, or SQLAlchemy's echo="debug",
// read as true (result rows are not logged).
func envEcho(name, v string) (bool, error) {
	if strings.EqualFold(v, "debug") {
		return true, nil
	}
	return envBool(name, v)
}

func envBool(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, envError(name, v, "true or false (or 1 or 0)")
	}
	return b, nil
}

// envInt reads an integer of at least min; "" is 0 (the Config default).
func envInt(name, v string, min int) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > math.MaxInt32 {
		return 0, envError(name, v, fmt.Sprintf("an integer from %d to %d", min, math.MaxInt32))
	}
	return n, nil
}

// envOverflow reads DATABASE_MAX_OVERFLOW: "0" means no overflow, which in
// a Config is a negative value (zero there means the default).
func envOverflow(name, v string) (int, error) {
	n, err := envInt(name, v, 0)
	if err == nil && v != "" && n == 0 {
		n = -1
	}
	return n, err
}

// envDuration reads seconds ("30", "2.5") or a Go duration ("500ms", "1h").
// With never, "-1" (SQLAlchemy's "no recycling") is accepted and returned
// as -1ns, which a Config reads as "never".
func envDuration(name, v string, never bool) (time.Duration, error) {
	want := "a positive number of seconds or a Go duration such as 500ms or 1h"
	if never {
		want += ", or -1 for never"
		if v == "-1" {
			return -1, nil
		}
	}
	if v == "" {
		return 0, nil
	}
	d, err := parseSeconds(v)
	if err != nil || d <= 0 {
		return 0, envError(name, v, want)
	}
	return d, nil
}

func parseSeconds(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f > float64(math.MaxInt64)/float64(time.Second) {
			return 0, strconv.ErrRange
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(v)
}
