package database

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultURL is the database FromEnv uses when DATABASE_URL is not set: an
// in-memory SQLite database, which needs no server and is gone when the
// pool is closed.
const DefaultURL = memoryURL

// The environment variables FromEnv reads.
const (
	EnvURL         = "DATABASE_URL"          // Config.URL; default DefaultURL
	EnvEcho        = "DATABASE_ECHO"         // Config.Echo: true/false, 1/0
	EnvPoolSize    = "DATABASE_POOL_SIZE"    // Config.PoolSize: an integer >= 1
	EnvMaxOverflow = "DATABASE_MAX_OVERFLOW" // Config.MaxOverflow: an integer >= 0
	EnvPoolTimeout = "DATABASE_POOL_TIMEOUT" // Config.PoolTimeout: seconds or a Go duration, > 0
	EnvPoolRecycle = "DATABASE_POOL_RECYCLE" // Config.PoolRecycle: seconds or a Go duration; -1 never
)

// FromEnv returns the Config described by the environment, the way Python
// services configure SQLAlchemy:
//
//	DATABASE_URL           the URL (default sqlite::memory:, see DefaultURL)
//	DATABASE_ECHO          log every statement: true/false, 1/0 (default false)
//	DATABASE_POOL_SIZE     connections kept open, >= 1 (default 5)
//	DATABASE_MAX_OVERFLOW  extra connections under load, >= 0 (default 10)
//	DATABASE_POOL_TIMEOUT  wait for a free connection: seconds ("30",
//	                       "2.5") or a Go duration ("500ms") (default 30s)
//	DATABASE_POOL_RECYCLE  replace connections older than this: seconds or
//	                       a Go duration; -1 never (default 1h)
//
// An unset or empty variable means the default. A value that cannot be read
// is an error matching ErrInvalidConfig that names the variable; it is
// never silently ignored. The URL is checked by Open, not here.
func FromEnv() (Config, error) {
	return fromEnv(os.LookupEnv)
}

func fromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	cfg := Config{URL: get(EnvURL)}
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	var err error
	if cfg.Echo, err = envBool(EnvEcho, get(EnvEcho)); err != nil {
		return Config{}, err
	}
	if cfg.PoolSize, err = envInt(EnvPoolSize, get(EnvPoolSize), 1); err != nil {
		return Config{}, err
	}
	if cfg.MaxOverflow, err = envOverflow(get(EnvMaxOverflow)); err != nil {
		return Config{}, err
	}
	if cfg.PoolTimeout, err = envDuration(EnvPoolTimeout, get(EnvPoolTimeout), false); err != nil {
		return Config{}, err
	}
	if cfg.PoolRecycle, err = envDuration(EnvPoolRecycle, get(EnvPoolRecycle), true); err != nil {
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
func envOverflow(v string) (int, error) {
	n, err := envInt(EnvMaxOverflow, v, 0)
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
