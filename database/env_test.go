package database_test

import (
	"errors"
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
