package database_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

func TestOpenRunsOnEveryConfiguredDatabase(t *testing.T) {
	type row struct {
		ID   int
		Name string
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&row{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&row{Name: "a"}).Error; err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := db.Model(&row{}).Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1", n, err)
		}
	})
}

// open opens cfg for the test and closes it at cleanup.
func open(t *testing.T, cfg database.Config) *gorm.DB {
	t.Helper()
	db, err := database.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := database.Close(db); err != nil {
			t.Error(err)
		}
	})
	return db
}

func hasTable(t *testing.T, db *gorm.DB, name string) bool {
	t.Helper()
	return db.Migrator().HasTable(name)
}

func TestMemoryDatabaseIsPrivateToEachOpen(t *testing.T) {
	a := open(t, database.Config{URL: "sqlite::memory:"})
	b := open(t, database.Config{URL: "sqlite::memory:"})
	if err := a.Exec("CREATE TABLE only_in_a (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if !hasTable(t, a, "only_in_a") {
		t.Fatal("a does not see its own table")
	}
	if hasTable(t, b, "only_in_a") {
		t.Fatal("a second Open of sqlite::memory: sees the first one's table")
	}
}

func TestMemoryDatabaseIsSharedByAllConnectionsOfOneOpen(t *testing.T) {
	db := open(t, database.Config{URL: "sqlite::memory:"})
	if err := db.Exec("CREATE TABLE shared (x INTEGER); INSERT INTO shared VALUES (7)").Error; err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	ctx := context.Background()
	var conns []*sql.Conn
	for range 4 { // four connections open at once: each must see the row
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		var x int
		if err := c.QueryRowContext(ctx, "SELECT x FROM shared").Scan(&x); err != nil || x != 7 {
			t.Fatalf("connection %d: x = %d, %v; want 7", i, x, err)
		}
	}
	if n := sqlDB.Stats().OpenConnections; n < 4 {
		t.Fatalf("%d connections open, want at least 4", n)
	}
}

func TestMemoryDatabaseSurvivesIdleConnectionsClosing(t *testing.T) {
	db := open(t, database.Config{URL: "sqlite::memory:", PoolSize: 1, PoolRecycle: time.Nanosecond})
	if err := db.Exec("CREATE TABLE kept (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	if !hasTable(t, db, "kept") {
		t.Fatal("the in-memory database was dropped when its connection was recycled")
	}
}

func TestSQLiteEnforcesForeignKeys(t *testing.T) {
	for _, url := range []string{"sqlite::memory:", "sqlite:///" + filepath.Join(t.TempDir(), "fk.db")} {
		db := open(t, database.Config{URL: url})
		var on int
		if err := db.Raw("PRAGMA foreign_keys").Row().Scan(&on); err != nil || on != 1 {
			t.Fatalf("%s: PRAGMA foreign_keys = %d, %v; want 1", url, on, err)
		}
		err := db.Exec("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p_id INTEGER REFERENCES p(id)); INSERT INTO c VALUES (1)").Error
		if !errors.Is(err, gorm.ErrForeignKeyViolated) {
			t.Fatalf("%s: err = %v, want gorm.ErrForeignKeyViolated", url, err)
		}
	}
}

func TestSQLiteFileUsesWALAndImmediateTransactions(t *testing.T) {
	db := open(t, database.Config{URL: "sqlite:///" + filepath.Join(t.TempDir(), "app.db"), BusyTimeout: 50 * time.Millisecond})
	var mode string
	if err := db.Raw("PRAGMA journal_mode").Row().Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	if err := db.Exec("CREATE TABLE t (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	// A transaction that has not written yet already holds the write lock
	// (BEGIN IMMEDIATE), so another connection cannot write.
	tx := db.Begin()
	defer tx.Rollback()
	err := db.Exec("INSERT INTO t VALUES (1)").Error
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("write beside an idle transaction: err = %v, want database is locked", err)
	}
}

func TestSQLiteMemoryUsesDeferredTransactions(t *testing.T) {
	db := open(t, database.Config{URL: "sqlite::memory:", BusyTimeout: 50 * time.Millisecond})
	if err := db.Exec("CREATE TABLE t (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	tx := db.Begin()
	defer tx.Rollback()
	if err := db.Exec("INSERT INTO t VALUES (1)").Error; err != nil {
		t.Fatalf("write beside a transaction that has not written: %v", err)
	}
}

func TestSQLiteBusyTimeoutIsHonoured(t *testing.T) {
	db := open(t, database.Config{URL: "sqlite:///" + filepath.Join(t.TempDir(), "busy.db"), BusyTimeout: 10 * time.Second})
	var ms int
	if err := db.Raw("PRAGMA busy_timeout").Row().Scan(&ms); err != nil || ms != 10000 {
		t.Fatalf("busy_timeout = %d, %v; want 10000", ms, err)
	}
	if err := db.Exec("CREATE TABLE t (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	tx := db.Begin()
	if err := tx.Exec("INSERT INTO t VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(100 * time.Millisecond)
		tx.Commit()
	})
	// The second writer waits for the lock instead of failing at once.
	err := db.Exec("INSERT INTO t VALUES (2)").Error
	wg.Wait()
	if err != nil {
		t.Fatalf("second writer: %v, want it to wait for the first", err)
	}
}

func TestEchoLogsSQLThroughSlog(t *testing.T) {
	tests := []struct {
		echo     bool
		wantInfo bool
	}{{true, true}, {false, false}}
	for _, tt := range tests {
		var buf bytes.Buffer
		var mu sync.Mutex
		h := slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug})
		db := open(t, database.Config{URL: "sqlite::memory:", Echo: tt.echo, Logger: slog.New(h), SlowQuery: -1})
		if err := db.Exec("SELECT 42 AS echo_marker").Error; err != nil {
			t.Fatal(err)
		}
		_ = db.Exec("SELECT * FROM no_such_table").Error
		mu.Lock()
		out := buf.String()
		mu.Unlock()
		gotInfo := strings.Contains(out, `"level":"INFO","msg":"sql","sql":"SELECT 42 AS echo_marker"`)
		if gotInfo != tt.wantInfo {
			t.Errorf("Echo=%v: statement logged = %v, want %v; log:\n%s", tt.echo, gotInfo, tt.wantInfo, out)
		}
		if !strings.Contains(out, `"level":"ERROR","msg":"sql failed","sql":"SELECT * FROM no_such_table"`) {
			t.Errorf("Echo=%v: failed statement not logged as an error; log:\n%s", tt.echo, out)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestClockIsUTCMicroseconds(t *testing.T) {
	type stamped struct {
		ID        int64
		CreatedAt time.Time
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		now := db.NowFunc()
		if now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
			t.Fatalf("NowFunc() = %v, want UTC truncated to microseconds", now)
		}
		if err := db.AutoMigrate(&stamped{}); err != nil {
			t.Fatal(err)
		}
		s := stamped{}
		if err := db.Create(&s).Error; err != nil {
			t.Fatal(err)
		}
		if s.CreatedAt.Location() != time.UTC || s.CreatedAt.IsZero() {
			t.Fatalf("CreatedAt = %v, want a UTC time", s.CreatedAt)
		}
		var back stamped
		if err := db.First(&back, s.ID).Error; err != nil {
			t.Fatal(err)
		}
		if !back.CreatedAt.Equal(s.CreatedAt) {
			t.Fatalf("read back %v, wrote %v", back.CreatedAt, s.CreatedAt)
		}
	})
}
