package database_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/internal/testdb"
)

// capture is a slog.Handler keeping every record, at every level.
type capture struct {
	mu      sync.Mutex
	records []slog.Record
}

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }
func (c *capture) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *capture) WithGroup(string) slog.Handler            { return c }

func (c *capture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, r.Clone())
	return nil
}

// take returns the records kept since the last take and forgets them.
func (c *capture) take() []slog.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	rs := c.records
	c.records = nil
	return rs
}

// text renders a record's message and every attribute as one string.
func text(r slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve().Any())
		return true
	})
	return b.String()
}

func describe(rs []slog.Record) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  %s %s", r.Level, text(r))
	}
	return b.String()
}

// Distinctive parameter values: none may appear in a log record unless
// Config.LogValues is set.
const (
	logEmail      = "grace.hopper.7391@example.org"
	logFirst      = "Gracewyn"
	logLast       = "Hopperstadt"
	logMissing    = "nobody.4417@example.org"
	logCancelled  = "cancelled.8812@example.net"
	logStaleTitle = "stale-title-5521"
	logDocTitle   = "doc-title-3307"
	logAuthorID   = 987654321
	logExecFirst  = "Execwyn"
	logBatchEmail = "batch.6620@example.org"
	logRowEmail   = "row.3154@example.org"
	logBadNumber  = "not-a-number-4821"
)

var logValues = []string{
	logEmail, logFirst, logLast, logMissing, logCancelled, logStaleTitle,
	logDocTitle, fmt.Sprint(logAuthorID), logExecFirst, logBatchEmail, logRowEmail, logBadNumber,
}

// logDoc is a versioned row, for stale updates.
type logDoc struct {
	entities.Entity
	entities.VersionedEntity
	Title string
}

func openLogged(t *testing.T, kind testdb.Kind, configure func(*database.Config)) (*gorm.DB, *capture) {
	t.Helper()
	c := &capture{}
	db := testdb.Open(t, kind, testdb.WithConfig(func(cfg *database.Config) {
		cfg.Logger = slog.New(c)
		if configure != nil {
			configure(cfg)
		}
	}))
	if err := db.AutoMigrate(&author{}, &book{}, &logDoc{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&author{Email: logEmail, First: logFirst, Last: logLast}).Error; err != nil {
		t.Fatal(err)
	}
	c.take()
	return db, c
}

// wantNoValues fails when a record mentions one of the parameter values.
func wantNoValues(t *testing.T, rs []slog.Record) {
	t.Helper()
	for _, r := range rs {
		s := text(r)
		for _, v := range logValues {
			if strings.Contains(s, v) {
				t.Errorf("record logs the parameter value %q: %s %s", v, r.Level, s)
			}
		}
	}
}

// failingCase is a statement the caller expects to fail and handles.
type failingCase struct {
	name string
	run  func(db *gorm.DB) error
	want error
}

func expectedFailures() []failingCase {
	return []failingCase{
		{"unique violation", func(db *gorm.DB) error {
			return db.Create(&author{Email: logEmail, First: "Other", Last: "Person"}).Error
		}, gorm.ErrDuplicatedKey},
		{"foreign key violation", func(db *gorm.DB) error {
			return db.Omit("Author").Create(&book{AuthorID: logAuthorID, Title: logDocTitle}).Error
		}, gorm.ErrForeignKeyViolated},
		{"stale update", func(db *gorm.DB) error {
			d := logDoc{Title: logDocTitle}
			if err := db.Create(&d).Error; err != nil {
				return err
			}
			stale := d
			if err := db.Model(&d).Update("title", logDocTitle+"-2").Error; err != nil {
				return err
			}
			return db.Model(&stale).Update("title", logStaleTitle).Error
		}, entities.ErrStaleEntity},
		{"not found", func(db *gorm.DB) error {
			var a author
			return db.First(&a, "email = ?", logMissing).Error
		}, gorm.ErrRecordNotFound},
		{"cancelled context", func(db *gorm.DB) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var as []author
			return db.WithContext(ctx).Where("email = ?", logCancelled).Find(&as).Error
		}, context.Canceled},
	}
}

// TestLogExpectedErrorsAtDebug: errors the caller receives and handles are
// logged at Debug, without parameter values.
func TestLogExpectedErrorsAtDebug(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			db, c := openLogged(t, kind, func(cfg *database.Config) { cfg.SlowQuery = -1 })
			for _, tc := range expectedFailures() {
				t.Run(tc.name, func(t *testing.T) {
					err := tc.run(db)
					if !errors.Is(err, tc.want) {
						t.Fatalf("err = %v, want %v", err, tc.want)
					}
					rs := c.take()
					wantNoValues(t, rs)
					debug := 0
					for _, r := range rs {
						switch {
						case r.Level > slog.LevelDebug:
							t.Errorf("record at %s, want Debug: %s", r.Level, text(r))
						case r.Message == "sql failed":
							debug++
						}
					}
					if debug == 0 {
						t.Errorf("no Debug \"sql failed\" record; records:%s", describe(rs))
					}
				})
			}
		})
	}
}

// TestLogUnexpectedErrorsAtError: a statement the database cannot run and a
// closed connection pool are logged at Error, still without values.
func TestLogUnexpectedErrorsAtError(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			db, c := openLogged(t, kind, nil)
			var n int64
			err := db.Raw("SELECT count(*) FROM no_such_table WHERE email = ?", logEmail).Scan(&n).Error
			if err == nil {
				t.Fatal("query of a missing table: no error")
			}
			wantLevel(t, c.take(), slog.LevelError, "sql failed")

			if isPostgres(db) { // the message of a data exception quotes the value
				if err := db.Raw("SELECT CAST(? AS integer)", logBadNumber).Scan(&n).Error; err == nil {
					t.Fatal("cast of a non-number: no error")
				}
				wantLevel(t, c.take(), slog.LevelError, "sql failed")
			}

			sqlDB, err := db.DB()
			if err != nil {
				t.Fatal(err)
			}
			if err := sqlDB.Close(); err != nil {
				t.Fatal(err)
			}
			var a author
			if err := db.Where("email = ?", logEmail).Take(&a).Error; err == nil {
				t.Fatal("query on a closed pool: no error")
			}
			wantLevel(t, c.take(), slog.LevelError, "sql failed")
		})
	}
}

func wantLevel(t *testing.T, rs []slog.Record, level slog.Level, msg string) {
	t.Helper()
	wantNoValues(t, rs)
	for _, r := range rs {
		if r.Level == level && r.Message == msg {
			if !hasAttr(r, "error") {
				t.Errorf("%s record without error attribute: %s", msg, text(r))
			}
			return
		}
	}
	t.Errorf("no %s %q record; records:%s", level, msg, describe(rs))
}

func hasAttr(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = found || a.Key == key
		return !found
	})
	return found
}

// everyKind runs statements of every kind GORM traces: finishers, Exec,
// Raw, Row, Rows, a batch Create, and the expected failures.
func everyKind(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := db.Exec("UPDATE authors SET first = ? WHERE email = ?", logExecFirst, logEmail).Error; err != nil {
		t.Fatal(err)
	}
	var as []author
	if err := db.Raw("SELECT * FROM authors WHERE first = ? AND last = ?", logExecFirst, logLast).Scan(&as).Error; err != nil || len(as) != 1 {
		t.Fatalf("Raw: %d rows, %v", len(as), err)
	}
	batch := []author{{Email: logBatchEmail, First: "B1", Last: "L1"}, {Email: logRowEmail, First: "B2", Last: "L2"}}
	if err := db.CreateInBatches(&batch, 1).Error; err != nil {
		t.Fatal(err)
	}
	var email string
	if err := db.Raw("SELECT email FROM authors WHERE email = ?", logRowEmail).Row().Scan(&email); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Model(&author{}).Where("email IN ?", []string{logBatchEmail, logRowEmail}).Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	var a author
	if err := db.Where("first = ? AND last = ?", logExecFirst, logLast).First(&a).Error; err != nil {
		t.Fatal(err)
	}
	for _, tc := range expectedFailures() {
		if err := tc.run(db); !errors.Is(err, tc.want) {
			t.Fatalf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestLogNoValuesByDefault: with Echo on and every statement slow, every
// statement is logged, with placeholders and never a parameter value.
func TestLogNoValuesByDefault(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			for _, tc := range []struct {
				name      string
				configure func(*database.Config)
				level     slog.Level
				msg       string
			}{
				{"echo", func(cfg *database.Config) { cfg.Echo = true; cfg.SlowQuery = -1 }, slog.LevelInfo, "sql"},
				{"slow", func(cfg *database.Config) { cfg.SlowQuery = time.Nanosecond }, slog.LevelWarn, "sql slow"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					db, c := openLogged(t, kind, tc.configure)
					everyKind(t, db)
					rs := c.take()
					wantNoValues(t, rs)
					wantPlaceholders(t, db, rs, tc.level, tc.msg)
				})
			}
		})
	}
}

// wantPlaceholders checks that every record at level has the message msg,
// the attributes sql, rows and elapsed, and that statements with
// parameters show their placeholders.
func wantPlaceholders(t *testing.T, db *gorm.DB, rs []slog.Record, level slog.Level, msg string) {
	t.Helper()
	placeholder := "?"
	if isPostgres(db) {
		placeholder = "$1"
	}
	withParams := 0
	for _, r := range rs {
		if r.Level != level {
			continue
		}
		if r.Message != msg {
			t.Errorf("record at %s: message %q, want %q", r.Level, r.Message, msg)
		}
		for _, key := range []string{"sql", "rows", "elapsed"} {
			if !hasAttr(r, key) {
				t.Errorf("record without %s: %s", key, text(r))
			}
		}
		s := text(r)
		if strings.Contains(s, "$1$") {
			t.Errorf("mangled placeholder: %s", s)
		}
		if strings.Contains(s, "WHERE") && strings.Contains(s, placeholder) {
			withParams++
		}
	}
	if withParams == 0 {
		t.Errorf("no record shows the placeholder %s; records:%s", placeholder, describe(rs))
	}
}

// TestLogValuesOptIn: with LogValues, and only then, the logged SQL carries
// the parameter values; db.Debug() echoes without them.
func TestLogValuesOptIn(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			db, c := openLogged(t, kind, func(cfg *database.Config) { cfg.Echo = true; cfg.LogValues = true })
			everyKind(t, db)
			all := ""
			for _, r := range c.take() {
				all += text(r) + "\n"
			}
			for _, v := range logValues {
				if v == logFirst || v == logBadNumber { // not used by everyKind
					continue
				}
				if !strings.Contains(all, v) {
					t.Errorf("value %q logged by no record; records:\n%s", v, all)
				}
			}

			plain, c := openLogged(t, kind, func(cfg *database.Config) { cfg.SlowQuery = -1 })
			var as []author
			if err := plain.Debug().Raw("SELECT * FROM authors WHERE email = ?", logEmail).Scan(&as).Error; err != nil || len(as) != 1 {
				t.Fatalf("Raw: %d rows, %v", len(as), err)
			}
			rs := c.take()
			wantNoValues(t, rs)
			wantPlaceholders(t, plain, rs, slog.LevelInfo, "sql")
		})
	}
}
