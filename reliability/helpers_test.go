package reliability_test

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/txctx"
)

// rowsTable is the table the workers write: one row per transaction, plus
// one per savepoint (id + savepointOffset).
const (
	rowsTable       = "rel_rows"
	savepointOffset = 1 << 40
)

// relRow is a row of rowsTable.
type relRow struct {
	ID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Worker int
	Phase  string
}

func (relRow) TableName() string { return rowsTable }

// setup starts a private server, creates rowsTable and opens a pool on it
// through database.Open, with application_name app.
func setup(t *testing.T, app string, cfg database.Config) (*pgfault.Server, *gorm.DB) {
	t.Helper()
	srv := pgfault.Start(t)
	srv.Exec(t, "CREATE TABLE "+rowsTable+" (id bigint PRIMARY KEY, worker int NOT NULL, phase text NOT NULL)")
	return srv, open(t, srv, app, cfg)
}

func open(t *testing.T, srv *pgfault.Server, app string, cfg database.Config) *gorm.DB {
	t.Helper()
	cfg.URL = srv.DSN(app)
	cfg.Logger = slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := database.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := database.Close(db); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

// insert writes one row in the transaction of ctx.
func insert(ctx context.Context, id int64, worker int, phase string) error {
	return txctx.DB(ctx).Create(&relRow{ID: id, Worker: worker, Phase: phase}).Error
}

// pause keeps the transaction of ctx open on the server for d, so that
// faults land inside transactions.
func pause(ctx context.Context, d time.Duration) error {
	return txctx.DB(ctx).Exec("SELECT pg_sleep(?)", d.Seconds()).Error
}

// waitIdle waits until the pool has no connection in use, or fails after
// 10 s: connections of ended transactions go back on a goroutine of their
// own (see docs/configuration.md).
func waitIdle(t *testing.T, db *gorm.DB) {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for sqlDB.Stats().InUse != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("pool: %d connections still in use 10 s after the last call", sqlDB.Stats().InUse)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sqlState returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func sqlState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

var digits = regexp.MustCompile(`[0-9]+`)

// kind names an error for the tallies: its SQLSTATE when it has one, else
// its message with numbers blanked, cut short.
func kind(err error) string {
	if code := sqlState(err); code != "" {
		return "SQLSTATE " + code
	}
	msg := digits.ReplaceAllString(err.Error(), "N")
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}
