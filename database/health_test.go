package database_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

// healthPassword is the password of the URLs the health tests open: it must
// appear in no error, response or log record.
const healthPassword = "s3cret-Pa55word"

// quietHealth drops the health checks' log records.
var quietHealth = database.WithHealthLogger(slog.New(slog.DiscardHandler))

// probe sends method to h and returns the status, the headers and the body.
func probe(t *testing.T, h http.Handler, method string) (int, http.Header, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/healthz", nil))
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// decodeReport decodes a health response body.
func decodeReport(t *testing.T, body []byte) database.Report {
	t.Helper()
	var r database.Report
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("health body %q: %v", body, err)
	}
	return r
}

// closedDB opens a clean database of kind and closes its pool.
func closedDB(t *testing.T, kind testdb.Kind) *gorm.DB {
	t.Helper()
	db := testdb.Open(t, kind)
	if err := database.Close(db); err != nil {
		t.Fatal(err)
	}
	return db
}

func eachKind(t *testing.T, body func(t *testing.T, kind testdb.Kind)) {
	t.Helper()
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) { body(t, kind) })
	}
}

func TestPing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := database.Ping(context.Background(), db); err != nil {
			t.Fatalf("Ping = %v, want nil", err)
		}
	})
}

func TestPingClosedPool(t *testing.T) {
	eachKind(t, func(t *testing.T, kind testdb.Kind) {
		err := database.Ping(context.Background(), closedDB(t, kind))
		if !errors.Is(err, database.ErrUnreachable) {
			t.Fatalf("Ping on a closed pool = %v, want ErrUnreachable", err)
		}
	})
}

// TestHealthHandlerHealthy checks the JSON of a healthy probe, key by key,
// and that the pool figures are those of the pool.
func TestHealthHandlerHealthy(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		code, header, body := probe(t, database.HealthHandler(map[string]*gorm.DB{"default": db}, quietHealth), http.MethodGet)
		if code != http.StatusOK {
			t.Fatalf("status %d, want 200; body %s", code, body)
		}
		if ct := header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q, want application/json", ct)
		}
		var raw struct {
			Status      string                                `json:"status"`
			Connections map[string]map[string]json.RawMessage `json:"connections"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		conn := raw.Connections["default"]
		if raw.Status != "ok" || len(raw.Connections) != 1 || string(conn["reachable"]) != "true" {
			t.Fatalf("body %s, want status ok and default reachable", body)
		}
		if _, ok := conn["latency_ms"]; !ok {
			t.Errorf("no latency_ms in %s", body)
		}
		var pool map[string]float64
		if err := json.Unmarshal(conn["pool"], &pool); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"open", "in_use", "idle", "max_open", "wait_count", "wait_duration_ms", "timeouts"} {
			if _, ok := pool[key]; !ok {
				t.Errorf("pool has no %q: %s", key, conn["pool"])
			}
		}
		// in_use is not asserted to be 0: today's pool gives some connections
		// back on goroutines of their own, a moment after a statement ends.
		sqlDB, _ := db.DB()
		if pool["open"] < 1 || pool["in_use"]+pool["idle"] != pool["open"] || pool["max_open"] != float64(sqlDB.Stats().MaxOpenConnections) {
			t.Errorf("pool %s: want open >= 1 = in_use + idle, max_open %d", conn["pool"], sqlDB.Stats().MaxOpenConnections)
		}
	})
}

// TestHealthHandlerNamesFailingConnection checks that a closed pool among
// healthy ones gives 503 naming it, and only it.
func TestHealthHandlerNamesFailingConnection(t *testing.T) {
	eachKind(t, func(t *testing.T, kind testdb.Kind) {
		dbs := map[string]*gorm.DB{"default": testdb.Open(t, kind), "reports": closedDB(t, kind)}
		code, _, body := probe(t, database.HealthHandler(dbs, quietHealth), http.MethodGet)
		if code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503; body %s", code, body)
		}
		r := decodeReport(t, body)
		if r.Status != "unavailable" || !slices.Equal(r.Failing, []string{"reports"}) {
			t.Errorf("status %q failing %v, want unavailable [reports]", r.Status, r.Failing)
		}
		if got := r.Connections["reports"]; got.Reachable || got.Error != "closed" {
			t.Errorf("reports = %+v, want unreachable, error closed", got)
		}
		if !r.Connections["default"].Reachable {
			t.Errorf("default = %+v, want reachable", r.Connections["default"])
		}
	})
}

// TestHealthHandlerPoolExhausted checks that a check waiting for a
// connection that never comes back ends at the health timeout with 503
// "timeout", and that the wait shows in the pool figures.
func TestHealthHandlerPoolExhausted(t *testing.T) {
	onePool := testdb.WithConfig(func(c *database.Config) { c.PoolSize, c.MaxOverflow = 1, -1 })
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		tx := db.Begin() // holds the only connection
		if tx.Error != nil {
			t.Fatal(tx.Error)
		}
		defer tx.Rollback()
		h := database.HealthHandler(map[string]*gorm.DB{"default": db}, quietHealth, database.WithHealthTimeout(100*time.Millisecond))
		code, _, body := probe(t, h, http.MethodGet)
		if code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503; body %s", code, body)
		}
		got := decodeReport(t, body).Connections["default"]
		if got.Reachable || got.Error != "timeout" || got.Pool.InUse != 1 || got.Pool.WaitCount < 1 {
			t.Errorf("default = %+v, want unreachable, timeout, 1 in use, a wait counted", got)
		}
	}, onePool)
}

func TestHealthHandlerMethods(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		healthy := database.HealthHandler(map[string]*gorm.DB{"default": db}, quietHealth)
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			code, header, body := probe(t, healthy, method)
			if code != http.StatusMethodNotAllowed || header.Get("Allow") != "GET, HEAD" || !json.Valid(body) {
				t.Errorf("%s: status %d Allow %q body %s; want 405, Allow GET, HEAD, a JSON body", method, code, header.Get("Allow"), body)
			}
		}
		if code, _, body := probe(t, healthy, http.MethodHead); code != http.StatusOK || len(body) != 0 {
			t.Errorf("HEAD: status %d body %q, want 200 and no body", code, body)
		}
		failing := database.HealthHandler(map[string]*gorm.DB{"default": db, "gone": closedDB(t, testdb.SQLite)}, quietHealth)
		if code, _, body := probe(t, failing, http.MethodHead); code != http.StatusServiceUnavailable || len(body) != 0 {
			t.Errorf("HEAD on a failing connection: status %d body %q, want 503 and no body", code, body)
		}
	})
}

func TestHealthNoConnections(t *testing.T) {
	r := database.Health(context.Background(), nil)
	if !r.OK() || len(r.Connections) != 0 {
		t.Errorf("Health(nil) = %+v, want ok with no connections", r)
	}
}

// proxiedPostgres opens, through a fault proxy, the configured PostgreSQL
// with a URL carrying healthPassword (trust authentication ignores it).
func proxiedPostgres(t *testing.T) (*gorm.DB, *faultProxy) {
	t.Helper()
	dsn := testdb.PostgresDSN()
	if dsn == "" {
		t.Skipf("%s is not set", testdb.EnvPostgresDSN)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newFaultProxy(t, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)))
	url := fmt.Sprintf("postgres://%s:%s@%s/%s?sslmode=disable", cfg.User, healthPassword, p.addr(), cfg.Database)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, database.Config{URL: url, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	return db, p
}

// assertNoPassword fails the test when healthPassword appears in any of
// texts.
func assertNoPassword(t *testing.T, texts map[string]string) {
	t.Helper()
	for what, text := range texts {
		if strings.Contains(text, healthPassword) {
			t.Errorf("%s shows the password: %s", what, text)
		}
	}
}

// TestHealthPostgresGone checks a server that went away after Open: 503
// naming the connection, and the password nowhere.
func TestHealthPostgresGone(t *testing.T) {
	db, p := proxiedPostgres(t)
	p.refuse()
	var logs bytes.Buffer
	h := database.HealthHandler(map[string]*gorm.DB{"primary": db},
		database.WithHealthLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	code, _, body := probe(t, h, http.MethodGet)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body %s", code, body)
	}
	r := decodeReport(t, body)
	if got := r.Connections["primary"]; !slices.Equal(r.Failing, []string{"primary"}) || got.Reachable || got.Error != "unreachable" {
		t.Errorf("report %+v, want primary failing, unreachable", r)
	}
	if !strings.Contains(logs.String(), `"connection":"primary"`) {
		t.Errorf("no log record names the connection: %s", logs.String())
	}
	err := database.Ping(context.Background(), db)
	if !errors.Is(err, database.ErrUnreachable) {
		t.Errorf("Ping = %v, want ErrUnreachable", err)
	}
	assertNoPassword(t, map[string]string{"the body": string(body), "the log": logs.String(), "Ping's error": fmt.Sprint(err)})
}

// TestHealthPostgresHung checks a server that accepts connections and never
// answers: the probe ends at the health timeout with 503 "timeout".
func TestHealthPostgresHung(t *testing.T) {
	db, p := proxiedPostgres(t)
	p.hang()
	h := database.HealthHandler(map[string]*gorm.DB{"primary": db}, quietHealth, database.WithHealthTimeout(200*time.Millisecond))
	code, _, body := probe(t, h, http.MethodGet)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body %s", code, body)
	}
	if got := decodeReport(t, body).Connections["primary"]; got.Reachable || got.Error != "timeout" {
		t.Errorf("primary = %+v, want unreachable, timeout", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := database.Ping(ctx, db)
	if !errors.Is(err, database.ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ping = %v, want ErrUnreachable and context.DeadlineExceeded", err)
	}
	assertNoPassword(t, map[string]string{"the body": string(body), "Ping's error": fmt.Sprint(err)})
}

func TestRedactMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"dial postgres://app:" + healthPassword + "@db:5432/app failed", "dial postgres://app:xxxxx@db:5432/app failed"},
		{"cannot parse `host=db password=" + healthPassword + " user=app`", "cannot parse `host=db password=xxxxx user=app`"},
		{"host=db PASSWORD = '" + healthPassword + " x' user=app", "host=db PASSWORD = xxxxx user=app"},
		{"postgresql+asyncpg://app:p%40ss@db/app", "postgresql+asyncpg://app:xxxxx@db/app"},
		{"postgres://app@db/app: connection refused", "postgres://app@db/app: connection refused"},
	} {
		if got := database.RedactMessage(tc.in); got != tc.want {
			t.Errorf("redactMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// countingPool is a real *sql.DB as GORM's connection pool, counting
// pool timeouts as a pool of Open's may.
type countingPool struct{ *sql.DB }

func (countingPool) PoolTimeouts() int64           { return 3 }
func (p countingPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// TestHealthReportsPoolTimeouts checks that the count of pool timeouts is
// read from a pool that keeps one, with and without PrepareStmt.
func TestHealthReportsPoolTimeouts(t *testing.T) {
	for _, prepare := range []bool{false, true} {
		t.Run(fmt.Sprintf("PrepareStmt=%v", prepare), func(t *testing.T) {
			sqlDB, err := sql.Open("sqlite3", "file:/health-timeouts?vfs=memdb")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sqlDB.Close() })
			db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: countingPool{sqlDB}}),
				&gorm.Config{PrepareStmt: prepare, Logger: logger.Discard})
			if err != nil {
				t.Fatal(err)
			}
			r := database.Health(context.Background(), map[string]*gorm.DB{"default": db}, quietHealth)
			if got := r.Connections["default"]; !r.OK() || got.Pool.Timeouts != 3 {
				t.Errorf("report %+v, want ok with 3 pool timeouts", r)
			}
		})
	}
}
