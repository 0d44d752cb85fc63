package database

import (
	"fmt"
	"log/slog"
	"strings"
)

// ErrMissingURL is returned by [FromEnv] with [RequireURL] when the URL's
// variable is unset or empty. It matches [ErrInvalidConfig] too.
var ErrMissingURL = fmt.Errorf("%w: no database URL", ErrInvalidConfig)

// EnvOption adjusts which variables [FromEnv] reads and how.
type EnvOption func(*envSettings)

type envSettings struct {
	prefix  string
	urlVar  string
	require bool
	logger  *slog.Logger
}

func newEnvSettings(opts []EnvOption) envSettings {
	s := envSettings{prefix: DefaultEnvPrefix}
	for _, opt := range opts {
		opt(&s)
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	return s
}

func (s envSettings) urlVariable() string {
	if s.urlVar != "" {
		return s.urlVar
	}
	return s.prefix + "URL"
}

// WithPrefix makes FromEnv read prefix+"URL", prefix+"POOL_SIZE",
// prefix+"MAX_OVERFLOW", prefix+"POOL_TIMEOUT", prefix+"POOL_RECYCLE",
// prefix+"POOL_PRE_PING" and prefix+"ECHO" instead of the DATABASE_
// names. An underscore is added to a prefix that does not end with one
// (WithPrefix("DB") reads DB_URL); an empty prefix means DATABASE_.
func WithPrefix(prefix string) EnvOption {
	return func(s *envSettings) {
		switch {
		case prefix == "":
			s.prefix = DefaultEnvPrefix
		case !strings.HasSuffix(prefix, "_"):
			s.prefix = prefix + "_"
		default:
			s.prefix = prefix
		}
	}
}

// WithURLVariable names the variable that holds the URL, whatever the
// prefix: FromEnv(WithPrefix("DB_"), WithURLVariable("DATABASE_URL"))
// reads DATABASE_URL beside DB_POOL_SIZE. An empty name means the
// prefix's.
func WithURLVariable(name string) EnvOption {
	return func(s *envSettings) { s.urlVar = name }
}

// RequireURL makes an unset or empty URL variable an error matching
// [ErrMissingURL] (and [ErrInvalidConfig]) that names the variable,
// instead of a fallback to the in-memory [DefaultURL]. Services use it;
// examples and tests leave it out.
func RequireURL() EnvOption {
	return func(s *envSettings) { s.require = true }
}

// WithEnvLogger sets where FromEnv logs its warning about falling back to
// [DefaultURL]. Nil means slog.Default().
func WithEnvLogger(l *slog.Logger) EnvOption {
	return func(s *envSettings) { s.logger = l }
}
