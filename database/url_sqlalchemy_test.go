package database_test

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gormext/gormext/database"
)

// The URLs below are SQLAlchemy's own documented examples (Engine
// Configuration, the PostgreSQL and SQLite dialect pages), as a Python
// service brings them.
func TestParseSQLAlchemyURLs(t *testing.T) {
	pg := func(dsn string) database.ParsedURL { return database.ParsedURL{Dialect: "postgres", DSN: dsn} }
	file := func(path, query string) database.ParsedURL {
		return database.ParsedURL{Dialect: "sqlite", DSN: path, Query: query}
	}
	memory := database.ParsedURL{Dialect: "sqlite", Memory: true}
	tests := []struct {
		in   string
		want database.ParsedURL
	}{
		{"postgresql://scott:tiger@localhost/mydatabase", pg("postgresql://scott:tiger@localhost/mydatabase")},
		{"postgresql+psycopg2://scott:tiger@localhost/mydatabase", pg("postgresql://scott:tiger@localhost/mydatabase")},
		{"postgresql+pg8000://dbuser:kx%40jj5%2Fg@pghost10/appdb", pg("postgresql://dbuser:kx%40jj5%2Fg@pghost10/appdb")},
		{"postgresql+asyncpg://scott:tiger@localhost/test", pg("postgresql://scott:tiger@localhost/test")},
		{"postgresql+psycopg://scott:tiger@localhost/test", pg("postgresql://scott:tiger@localhost/test")},
		{"POSTGRESQL+ASYNCPG://scott@localhost/test", pg("postgresql://scott@localhost/test")},
		{"postgres+asyncpg://scott@localhost/test", pg("postgres://scott@localhost/test")},
		{"postgresql+psycopg2://scott:tiger@192.168.0.199:5432/test?sslmode=require", pg("postgresql://scott:tiger@192.168.0.199:5432/test?sslmode=require")},
		{"postgresql+psycopg2://user:password@/dbname?host=/var/lib/postgresql", pg("postgresql://user:password@/dbname?host=/var/lib/postgresql")},
		{"postgresql+psycopg2://user:password@/dbname?host=HostA:5433&host=HostB:5434", pg("postgresql://user:password@/dbname?host=HostA%2CHostB&port=5433%2C5434")},
		{"postgresql+psycopg2://user:password@/dbname?host=HostA&host=HostB", pg("postgresql://user:password@/dbname?host=HostA%2CHostB")},
		{"postgresql+asyncpg://scott:tiger@localhost/test?prepared_statement_cache_size=500", pg("postgresql://scott:tiger@localhost/test")},
		{"postgresql+asyncpg://u@h/db?async_fallback=true&application_name=svc", pg("postgresql://u@h/db?application_name=svc")},
		{"postgresql+asyncpg://u@h/db?ssl=require", pg("postgresql://u@h/db?sslmode=require")},
		{"postgresql+asyncpg://u@h/db?ssl=require&sslmode=require", pg("postgresql://u@h/db?sslmode=require")},
		{"postgresql://u@h/db?connect_timeout=10&options=-csearch_path%3Dx", pg("postgresql://u@h/db?connect_timeout=10&options=-csearch_path%3Dx")},

		{"sqlite://", memory},
		{"sqlite:///:memory:", memory},
		{"sqlite:///", memory},
		{"sqlite+aiosqlite://", memory},
		{"sqlite+aiosqlite:///:memory:", memory},
		{"sqlite:///foo.db", file("foo.db", "")},
		{"sqlite:////absolute/path/to/foo.db", file("/absolute/path/to/foo.db", "")},
		{"sqlite+pysqlite:///file.db", file("file.db", "")},
		{"sqlite+aiosqlite:///filename", file("filename", "")},
		{"sqlite:///file:path/to/database?mode=ro&uri=true", file("path/to/database", "mode=ro")},
		{"sqlite:///file::memory:?cache=shared&uri=true", database.ParsedURL{Dialect: "sqlite", Memory: true, Query: "cache=shared"}},
		{"sqlite:///app.db?timeout=20", file("app.db", "_busy_timeout=20000")},
		{"sqlite:///app.db?timeout=0.5&_busy_timeout=100", file("app.db", "_busy_timeout=100")},
		{"sqlite:///app.db?check_same_thread=false&cached_statements=100&detect_types=3", file("app.db", "")},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := database.ParseURL(tt.in)
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseURL(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSQLAlchemyURLsRefused(t *testing.T) {
	tests := []struct {
		in   string
		want string // what the message must name
	}{
		{"postgresql+asyncpg://u:" + secret + "@h/db?command_timeout=60", "command_timeout"},
		{"postgresql+asyncpg://u:" + secret + "@h/db?timeout=10", "connect_timeout"},
		{"postgresql+asyncpg://u@h/db?password=" + secret + "&ssl=" + secret, `"ssl"`},
		{"postgresql+asyncpg://u@h/db?ssl=true", `"ssl"`},
		{"postgresql+asyncpg://u@h/db?ssl=require&sslmode=disable", "sslmode"},
		{"postgresql+psycopg2://u@/db?host=a:1&host=b:x" + secret, `"host"`},
		{"postgresql://u:" + secret + "@h/db?a=%zz", "percent-encode"},
		{"postgresql://u:" + secret + "@h/db?a=1;b=2", "percent-encode"},
		{"postgresql+://u:" + secret + "@h/db", "driver"},
		{"postgresql+" + secret + "!://u@h/db", "driver"},
		{"sqlite+pysqlcipher://:" + secret + "@/file.db", "pysqlcipher"},
		{"mysql+pymysql://u:" + secret + "@h/db", "mysql+pymysql"},
		{"sqlite:///app.db?timeout=soon", "timeout"},
		{"sqlite:///app.db?isolation_level=IMMEDIATE", "_txlock"},
		{"sqlite:///app.db?uri=maybe", "uri"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := database.ParseURL(tt.in)
			if !errors.Is(err, database.ErrUnsupportedURL) {
				t.Fatalf("ParseURL(%q) = %v, want ErrUnsupportedURL", tt.in, err)
			}
			if msg := err.Error(); strings.Contains(msg, secret) || !strings.Contains(msg, tt.want) {
				t.Fatalf("error %q reveals the password or does not name %s", msg, tt.want)
			}
		})
	}
}

// countRows reads a SQLite file with database/sql, not through database.Open.
func countRows(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM items").Scan(&n); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return n
}

func writeItem(t *testing.T, url string) {
	t.Helper()
	db := open(t, database.Config{URL: url})
	if err := db.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO items (id) VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	if err := database.Close(db); err != nil {
		t.Fatal(err)
	}
}

func TestOpenSQLAlchemySQLitePaths(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	abs := filepath.Join(t.TempDir(), "abs.db")
	tests := []struct {
		url  string
		file string // where the rows must be; "" for in memory
	}{
		{"sqlite:///rel.db", filepath.Join(cwd, "rel.db")},
		{"sqlite+aiosqlite:///async.db", filepath.Join(cwd, "async.db")},
		{"sqlite:///" + abs, abs},
		{"sqlite:///:memory:", ""},
		{"sqlite://", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			writeItem(t, tt.url)
			if tt.file != "" {
				if n := countRows(t, tt.file); n != 1 {
					t.Fatalf("%s holds %d rows, want 1", tt.file, n)
				}
			}
		})
	}
	entries, err := os.ReadDir(cwd)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), "memory") {
			t.Errorf("an in-memory URL created the file %s", e.Name())
		}
	}
	if _, err := os.Stat("/:memory:"); err == nil {
		t.Error("sqlite:///:memory: created the file /:memory:")
	}
}

// postgresURL turns the test DSN into a SQLAlchemy URL with the given
// driver and query.
func postgresURL(t *testing.T, driver, query string) string {
	t.Helper()
	dsn := os.Getenv("GORMEXT_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("GORMEXT_TEST_POSTGRES_DSN not set")
	}
	c, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "postgresql+" + driver, Host: fmt.Sprintf("%s:%d", c.Host, c.Port), Path: "/" + c.Database, RawQuery: query}
	u.User = url.User(c.User)
	if c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	}
	return u.String()
}

func TestOpenSQLAlchemyPostgresURL(t *testing.T) {
	tests := []struct {
		driver, query string
	}{
		{"asyncpg", "ssl=disable&application_name=gx-asyncpg&options=-csearch_path%3Dgx_path&async_fallback=true&prepared_statement_cache_size=100&connect_timeout=5"},
		{"psycopg2", "sslmode=disable&application_name=gx-psycopg2&options=-csearch_path%3Dgx_path"},
		{"psycopg", "sslmode=disable&application_name=gx-psycopg&options=-csearch_path%3Dgx_path"},
	}
	for _, tt := range tests {
		t.Run(tt.driver, func(t *testing.T) {
			db := open(t, database.Config{URL: postgresURL(t, tt.driver, tt.query)})
			var app, path string
			if err := db.Raw("SELECT current_setting('application_name'), current_setting('search_path')").Row().Scan(&app, &path); err != nil {
				t.Fatal(err)
			}
			if app != "gx-"+tt.driver || path != "gx_path" {
				t.Fatalf("application_name = %q, search_path = %q; want gx-%s, gx_path", app, path, tt.driver)
			}
		})
	}
}

// An option that is neither pgx's, nor a server setting, nor on the list of
// Python-only options ignored is sent to the server, which names it.
func TestOpenPostgresUnknownOptionNamedByTheServer(t *testing.T) {
	u := postgresURL(t, "asyncpg", "sslmode=disable&async_fallbak=true")
	_, err := database.Open(t.Context(), database.Config{URL: u})
	if !errors.Is(err, database.ErrConnect) || !strings.Contains(err.Error(), "async_fallbak") {
		t.Fatalf("err = %v, want ErrConnect naming async_fallbak", err)
	}
}

// psycopg2's repeated host becomes hosts pgx tries in turn.
func TestMultiHostURLReachesPgx(t *testing.T) {
	got, err := database.ParseURL("postgresql+psycopg2://u:" + secret + "@/db?host=HostA:5433&host=HostB&sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	c, err := pgx.ParseConfig(got.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "HostA" || c.Port != 5433 || c.Password != secret || len(c.Fallbacks) != 1 ||
		c.Fallbacks[0].Host != "HostB" || c.Fallbacks[0].Port != 5432 {
		t.Fatalf("pgx reads %s:%d with fallbacks %+v", c.Host, c.Port, c.Fallbacks)
	}
}
