package database_test

import (
	"bytes"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    database.Config
		wantErr string // the variable the error must name
	}{
		{"nothing set", nil, database.Config{URL: database.DefaultURL}, ""},
		{"empty values", map[string]string{"DATABASE_URL": " ", "DATABASE_POOL_SIZE": ""}, database.Config{URL: database.DefaultURL}, ""},
		{"everything", map[string]string{
			"DATABASE_URL": "postgres://app@db/app", "DATABASE_ECHO": "true", "DATABASE_POOL_SIZE": "20",
			"DATABASE_MAX_OVERFLOW": "5", "DATABASE_POOL_TIMEOUT": "2.5", "DATABASE_POOL_RECYCLE": "30m",
		}, database.Config{URL: "postgres://app@db/app", Echo: true, PoolSize: 20, MaxOverflow: 5, PoolTimeout: 2500 * time.Millisecond, PoolRecycle: 30 * time.Minute}, ""},
		{"echo 0", map[string]string{"DATABASE_ECHO": "0"}, database.Config{URL: database.DefaultURL}, ""},
		{"no overflow", map[string]string{"DATABASE_MAX_OVERFLOW": "0"}, database.Config{URL: database.DefaultURL, MaxOverflow: -1}, ""},
		{"timeout as duration", map[string]string{"DATABASE_POOL_TIMEOUT": "500ms"}, database.Config{URL: database.DefaultURL, PoolTimeout: 500 * time.Millisecond}, ""},
		{"recycle never", map[string]string{"DATABASE_POOL_RECYCLE": "-1"}, database.Config{URL: database.DefaultURL, PoolRecycle: -1}, ""},
		{"echo yes", map[string]string{"DATABASE_ECHO": "yes"}, database.Config{}, "DATABASE_ECHO"},
		{"pool size zero", map[string]string{"DATABASE_POOL_SIZE": "0"}, database.Config{}, "DATABASE_POOL_SIZE"},
		{"pool size negative", map[string]string{"DATABASE_POOL_SIZE": "-3"}, database.Config{}, "DATABASE_POOL_SIZE"},
		{"pool size words", map[string]string{"DATABASE_POOL_SIZE": "five"}, database.Config{}, "DATABASE_POOL_SIZE"},
		{"pool size float", map[string]string{"DATABASE_POOL_SIZE": "5.5"}, database.Config{}, "DATABASE_POOL_SIZE"},
		{"pool size huge", map[string]string{"DATABASE_POOL_SIZE": "99999999999999999999"}, database.Config{}, "DATABASE_POOL_SIZE"},
		{"overflow negative", map[string]string{"DATABASE_MAX_OVERFLOW": "-1"}, database.Config{}, "DATABASE_MAX_OVERFLOW"},
		{"timeout zero", map[string]string{"DATABASE_POOL_TIMEOUT": "0"}, database.Config{}, "DATABASE_POOL_TIMEOUT"},
		{"timeout negative", map[string]string{"DATABASE_POOL_TIMEOUT": "-1"}, database.Config{}, "DATABASE_POOL_TIMEOUT"},
		{"timeout NaN", map[string]string{"DATABASE_POOL_TIMEOUT": "NaN"}, database.Config{}, "DATABASE_POOL_TIMEOUT"},
		{"timeout Inf", map[string]string{"DATABASE_POOL_TIMEOUT": "+Inf"}, database.Config{}, "DATABASE_POOL_TIMEOUT"},
		{"timeout overflow", map[string]string{"DATABASE_POOL_TIMEOUT": "1e300"}, database.Config{}, "DATABASE_POOL_TIMEOUT"},
		{"timeout unit missing", map[string]string{"DATABASE_POOL_TIMEOUT": "30 seconds"}, database.Config{}, "DATABASE_POOL_TIMEOUT"},
		{"recycle zero", map[string]string{"DATABASE_POOL_RECYCLE": "0"}, database.Config{}, "DATABASE_POOL_RECYCLE"},
		{"recycle NUL", map[string]string{"DATABASE_POOL_RECYCLE": "1h\x00"}, database.Config{}, "DATABASE_POOL_RECYCLE"},
		{"long garbage", map[string]string{"DATABASE_POOL_SIZE": strings.Repeat("x", 10000)}, database.Config{}, "DATABASE_POOL_SIZE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := database.FromLookup(lookup(tt.env))
			if tt.wantErr != "" {
				if !errors.Is(err, database.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrInvalidConfig naming %s", err, tt.wantErr)
				}
				if len(err.Error()) > 300 {
					t.Fatalf("error is %d bytes long", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFromEnvReadsTheEnvironment(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite::memory:")
	t.Setenv("DATABASE_POOL_SIZE", "2")
	t.Setenv("DATABASE_MAX_OVERFLOW", "0")
	cfg, err := database.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	db := open(t, cfg)
	s, _ := db.DB()
	if n := s.Stats().MaxOpenConnections; n != 2 {
		t.Fatalf("MaxOpenConnections = %d, want 2", n)
	}
}

func TestFromEnvOptions(t *testing.T) {
	seed := map[string]string{
		"DATABASE_URL": "postgresql+asyncpg://app@db/app", "DB_POOL_SIZE": "10", "DB_MAX_OVERFLOW": "20",
		"DB_POOL_TIMEOUT": "5", "DB_POOL_RECYCLE": "1800", "DB_POOL_PRE_PING": "True", "DB_ECHO": "debug",
		"DATABASE_POOL_SIZE": "99", // not read under the DB_ prefix
	}
	seedWant := database.Config{URL: "postgresql+asyncpg://app@db/app", Echo: true, PoolSize: 10, MaxOverflow: 20,
		PoolTimeout: 5 * time.Second, PoolRecycle: 30 * time.Minute, PoolPrePing: true}
	tests := []struct {
		name    string
		opts    []database.EnvOption
		env     map[string]string
		want    database.Config
		wantErr string
	}{
		{"seed service: DATABASE_URL and DB_ pool settings", []database.EnvOption{database.WithPrefix("DB_"), database.WithURLVariable("DATABASE_URL")}, seed, seedWant, ""},
		{"prefix without underscore", []database.EnvOption{database.WithPrefix("DB"), database.WithURLVariable("DATABASE_URL")}, seed, seedWant, ""},
		{"prefix reads its own URL", []database.EnvOption{database.WithPrefix("REPORTS_DB_")}, map[string]string{"DATABASE_URL": "sqlite:///main.db", "REPORTS_DB_URL": "sqlite:///reports.db", "REPORTS_DB_POOL_SIZE": "2"}, database.Config{URL: "sqlite:///reports.db", PoolSize: 2}, ""},
		{"prefix does not fall back to DATABASE_URL", []database.EnvOption{database.WithPrefix("REPORTS_DB_")}, map[string]string{"DATABASE_URL": "sqlite:///main.db"}, database.Config{URL: database.DefaultURL}, ""},
		{"empty prefix is DATABASE_", []database.EnvOption{database.WithPrefix("")}, map[string]string{"DATABASE_URL": "sqlite:///a.db", "DATABASE_POOL_PRE_PING": "1"}, database.Config{URL: "sqlite:///a.db", PoolPrePing: true}, ""},
		{"echo debug", nil, map[string]string{"DATABASE_ECHO": "DEBUG"}, database.Config{URL: database.DefaultURL, Echo: true}, ""},
		{"error names the prefixed variable", []database.EnvOption{database.WithPrefix("DB_")}, map[string]string{"DB_POOL_SIZE": "five"}, database.Config{}, "DB_POOL_SIZE"},
		{"bad pre-ping", []database.EnvOption{database.WithPrefix("DB_")}, map[string]string{"DB_POOL_PRE_PING": "sometimes"}, database.Config{}, "DB_POOL_PRE_PING"},
		{"bad overflow under a prefix", []database.EnvOption{database.WithPrefix("DB_")}, map[string]string{"DB_MAX_OVERFLOW": "-2"}, database.Config{}, "DB_MAX_OVERFLOW"},
		{"required and set", []database.EnvOption{database.RequireURL()}, map[string]string{"DATABASE_URL": "sqlite:///a.db"}, database.Config{URL: "sqlite:///a.db"}, ""},
		{"required and missing", []database.EnvOption{database.RequireURL()}, nil, database.Config{}, "DATABASE_URL"},
		{"required and blank", []database.EnvOption{database.RequireURL()}, map[string]string{"DATABASE_URL": "  "}, database.Config{}, "DATABASE_URL"},
		{"required under a prefix", []database.EnvOption{database.WithPrefix("DB_"), database.RequireURL()}, map[string]string{"DATABASE_URL": "sqlite:///a.db"}, database.Config{}, "DB_URL"},
		{"required, named variable", []database.EnvOption{database.RequireURL(), database.WithURLVariable("APP_DSN")}, map[string]string{"DATABASE_URL": "sqlite:///a.db"}, database.Config{}, "APP_DSN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]database.EnvOption{database.WithEnvLogger(slog.New(slog.DiscardHandler))}, tt.opts...)
			got, err := database.FromLookup(lookup(tt.env), opts...)
			if tt.wantErr != "" {
				if !errors.Is(err, database.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrInvalidConfig naming %s", err, tt.wantErr)
				}
				if strings.HasPrefix(tt.name, "required") != errors.Is(err, database.ErrMissingURL) {
					t.Fatalf("err = %v: errors.Is(err, ErrMissingURL) = %v", err, !strings.HasPrefix(tt.name, "required"))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFromEnvWarnsOnFallback(t *testing.T) {
	tests := []struct {
		name     string
		opts     []database.EnvOption
		env      map[string]string
		wantWarn string // the variable the warning names; "" for no warning
	}{
		{"default names", nil, nil, "DATABASE_URL"},
		{"prefix", []database.EnvOption{database.WithPrefix("DB_")}, nil, "DB_URL"},
		{"blank URL", nil, map[string]string{"DATABASE_URL": " "}, "DATABASE_URL"},
		{"URL set", nil, map[string]string{"DATABASE_URL": "sqlite::memory:"}, ""},
		{"required", []database.EnvOption{database.RequireURL()}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			_, _ = database.FromLookup(lookup(tt.env), append(tt.opts, database.WithEnvLogger(log))...)
			out := buf.String()
			if tt.wantWarn == "" {
				if out != "" {
					t.Fatalf("logged %s, want nothing", out)
				}
				return
			}
			for _, want := range []string{`"level":"WARN"`, `"variable":"` + tt.wantWarn + `"`, `"url":"sqlite::memory:"`, "in-memory"} {
				if !strings.Contains(out, want) {
					t.Fatalf("logged %s, want %s", out, want)
				}
			}
		})
	}
}

func TestFromEnvWithOptionsReadsTheEnvironment(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:///:memory:")
	t.Setenv("DB_POOL_SIZE", "3")
	t.Setenv("DB_MAX_OVERFLOW", "0")
	cfg, err := database.FromEnv(database.WithPrefix("DB_"), database.WithURLVariable("DATABASE_URL"), database.RequireURL())
	if err != nil {
		t.Fatal(err)
	}
	db := open(t, cfg)
	s, _ := db.DB()
	if n := s.Stats().MaxOpenConnections; n != 3 {
		t.Fatalf("MaxOpenConnections = %d, want 3", n)
	}
	t.Setenv("DATABASE_URL", "")
	if _, err := database.FromEnv(database.RequireURL()); !errors.Is(err, database.ErrMissingURL) {
		t.Fatalf("err = %v, want ErrMissingURL", err)
	}
}
