package database_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

const secret = "s3cr3tPa55"

func TestParseURL(t *testing.T) {
	long := "postgres://user:" + secret + "@host/" + strings.Repeat("d", 9000)
	tests := []struct {
		name    string
		in      string
		want    database.ParsedURL
		wantErr error
	}{
		{"memory", "sqlite::memory:", database.ParsedURL{Dialect: "sqlite", Memory: true}, nil},
		{"memory upper case", "SQLITE::MEMORY:", database.ParsedURL{Dialect: "sqlite", Memory: true}, nil},
		{"memory with slashes", "sqlite://:memory:", database.ParsedURL{Dialect: "sqlite", Memory: true}, nil},
		{"memory surrounded by spaces", "  sqlite::memory:\n", database.ParsedURL{Dialect: "sqlite", Memory: true}, nil},
		{"relative file", "sqlite://app.db", database.ParsedURL{Dialect: "sqlite", DSN: "app.db"}, nil},
		{"three slashes: relative, as in SQLAlchemy", "sqlite:///var/lib/app.db", database.ParsedURL{Dialect: "sqlite", DSN: "var/lib/app.db"}, nil},
		{"four slashes: absolute", "sqlite:////var/lib/app.db", database.ParsedURL{Dialect: "sqlite", DSN: "/var/lib/app.db"}, nil},
		{"file with options", "sqlite://app.db?_busy_timeout=100", database.ParsedURL{Dialect: "sqlite", DSN: "app.db", Query: "_busy_timeout=100"}, nil},
		{"file with a space", "sqlite://my app.db", database.ParsedURL{Dialect: "sqlite", DSN: "my app.db"}, nil},
		{"postgres", "postgres://u@h/db", database.ParsedURL{Dialect: "postgres", DSN: "postgres://u@h/db"}, nil},
		{"postgresql", "postgresql://u@h:5433/db?sslmode=disable", database.ParsedURL{Dialect: "postgres", DSN: "postgresql://u@h:5433/db?sslmode=disable"}, nil},
		{"postgres upper-case scheme", "POSTGRES://u@h/db", database.ParsedURL{Dialect: "postgres", DSN: "postgres://u@h/db"}, nil},
		{"keyword dsn", "host=127.0.0.1 user=postgres dbname=test", database.ParsedURL{Dialect: "postgres", DSN: "host=127.0.0.1 user=postgres dbname=test"}, nil},
		{"empty", "", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"spaces only", " \t\n ", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"mysql", "mysql://root:" + secret + "@localhost/db", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"unknown scheme", "oracle://scott:" + secret + "@db", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"no scheme", "user:" + secret + "@host/db", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"bare password", secret, database.ParsedURL{}, database.ErrUnsupportedURL},
		{"sqlite without path is in memory", "sqlite://", database.ParsedURL{Dialect: "sqlite", Memory: true}, nil},
		{"sqlite bad options", "sqlite://a.db?%zz=1", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"NUL in postgres URL", "postgres://u:" + secret + "@h/db\x00", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"NUL in sqlite path", "sqlite://a\x00b.db", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"control char in postgres URL", "postgres://u:" + secret + "@h/d\x01b", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"malformed postgres URL", "postgres://u:" + secret + "@h:port/db", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"very long", long, database.ParsedURL{}, database.ErrUnsupportedURL},
		{"scheme only", "://", database.ParsedURL{}, database.ErrUnsupportedURL},
		{"keyword lookalike with scheme", "http://host=evil", database.ParsedURL{}, database.ErrUnsupportedURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := database.ParseURL(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseURL(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error reveals the password: %v", err)
				}
				if len(err.Error()) > 400 {
					t.Fatalf("error is %d bytes long", len(err.Error()))
				}
				return
			}
			if got != tt.want {
				t.Fatalf("ParseURL(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSQLiteDSNDefaults(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		not  []string
	}{
		{"sqlite::memory:", []string{"vfs=memdb", "_txlock=deferred", "_foreign_keys=1", "_busy_timeout=5000"}, []string{"_journal_mode"}},
		{"sqlite://app.db", []string{"file:app.db?", "_journal_mode=WAL", "_txlock=immediate", "_foreign_keys=1"}, []string{"memdb"}},
		{"sqlite://app.db?_txlock=deferred", []string{"_txlock=deferred"}, []string{"_txlock=immediate"}},
		{"sqlite://my app#1.db", []string{"file:my%20app%231.db?"}, nil},
	}
	for _, tt := range tests {
		dsn, err := database.SQLiteDSN(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(dsn, w) {
				t.Errorf("DSN for %q = %q, want it to contain %q", tt.in, dsn, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(dsn, n) {
				t.Errorf("DSN for %q = %q, want no %q", tt.in, dsn, n)
			}
		}
	}
}

func TestOpenRejectsBadURLsWithoutRevealingPasswords(t *testing.T) {
	for _, in := range []string{"", "mysql://root:" + secret + "@localhost/db", "postgres://u:" + secret + "@h:port/db", "host=h password=" + secret + " port=notanumber"} {
		_, err := database.Open(context.Background(), database.Config{URL: in})
		if !errors.Is(err, database.ErrUnsupportedURL) {
			t.Errorf("Open(%q) = %v, want ErrUnsupportedURL", in, err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("Open(%q) error reveals the password: %v", in, err)
		}
	}
}

func TestOpenUnreachableServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, url := range []string{
		"postgres://postgres:" + secret + "@127.0.0.1:1/test",
		"host=127.0.0.1 port=1 user=postgres password=" + secret + " dbname=test",
	} {
		_, err := database.Open(ctx, database.Config{URL: url})
		if !errors.Is(err, database.ErrConnect) {
			t.Fatalf("Open(%s) = %v, want ErrConnect", database.Redact(url), err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error reveals the password: %v", err)
		}
		if ctx.Err() != nil {
			t.Fatal("Open waited for the test's deadline instead of failing")
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:" + secret + "@h/db", "postgres://u:xxxxx@h/db"},
		{"host=h password=" + secret + " user=u", "host=h password=xxxxx user=u"},
		{"host=h password='a " + secret + "' user=u", "host=h password=xxxxx user=u"},
		{"postgres://u:" + secret + "@h:port/db", "<malformed URL>"},
		{"postgresql+asyncpg://u:" + secret + "@h/db?ssl=require", "postgresql+asyncpg://u:xxxxx@h/db?ssl=require"},
		{"postgres://u@h/db?sslmode=disable&password=" + secret + "&application_name=a", "postgres://u@h/db?sslmode=disable&password=xxxxx&application_name=a"},
		{"postgres://u:" + secret + "@h/db?password=" + secret, "postgres://u:xxxxx@h/db?password=xxxxx"},
	}
	for _, tt := range tests {
		if got := database.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"sqlite::memory:", "sqlite://a.db?x=1", "postgres://u:" + secret + "@h/db", "host=h password=" + secret, "mysql://u:" + secret + "@h", "",
		"postgresql+asyncpg://u:" + secret + "@/db?ssl=require&host=a:1&host=b&async_fallback=true", "sqlite+aiosqlite:///file:x.db?uri=true&timeout=1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, err := database.ParseURL(in)
		if err != nil && !errors.Is(err, database.ErrUnsupportedURL) {
			t.Fatalf("ParseURL(%q) = %v, want ErrUnsupportedURL or nil", in, err)
		}
		if err != nil && strings.Contains(in, secret) && strings.Contains(err.Error(), secret) {
			t.Fatalf("error reveals the password: %v", err)
		}
	})
}

// openKind opens a database of the given kind through testdb with cfg
// adjusted.
func openKind(t *testing.T, kind testdb.Kind, cfg func(*database.Config)) *gorm.DB {
	t.Helper()
	return testdb.Open(t, kind, testdb.WithConfig(cfg))
}

func TestOpenUnansweredServerFailsWithinThePoolTimeout(t *testing.T) {
	// A listener that never accepts: the TCP handshake completes, the
	// PostgreSQL one never does.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := "postgres://u:" + secret + "@" + l.Addr().String() + "/db?sslmode=disable"
	_, err = database.Open(ctx, database.Config{URL: url, PoolTimeout: 200 * time.Millisecond})
	if !errors.Is(err, database.ErrConnect) || !errors.Is(err, database.ErrPoolTimeout) {
		t.Fatalf("err = %v, want ErrConnect and ErrPoolTimeout", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Open waited for the test's deadline instead of the pool timeout")
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "new connection") {
		t.Fatalf("error %q reveals the password or does not say a new connection was awaited", err)
	}
}
