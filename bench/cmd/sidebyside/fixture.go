package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
)

// Post is the entity created: the plugin sets its ID and timestamps and
// validates three fields; plain GORM and database/sql get them by hand.
type Post struct {
	entities.Entity
	Title  string `validate:"required,max=200"`
	Body   string `validate:"max=10000"`
	Author string `validate:"required,max=100"`
}

// Item is the row paged through, sorted b DESC, id DESC on an index.
type Item struct {
	ID   int64 `gorm:"primaryKey;autoIncrement:false"`
	B    int   `gorm:"not null"`
	Name string
}

// TxRow is the row each transaction inserts.
type TxRow struct {
	ID   int64 `gorm:"primaryKey"`
	Name string
}

// items is the size of the paged table.
const items = 5000

// fixture is one database seen through every contender: gormext
// (database.Open, with the hooks plugin and its pool), GORM alone on the
// same *sql.DB, that *sql.DB itself and, on PostgreSQL, a pgx pool for trm.
type fixture struct {
	gx      *gorm.DB
	plain   *gorm.DB
	sql     *sql.DB
	pgx     *pgxpool.Pool
	version string
}

func openFixture(ctx context.Context, url string) (*fixture, error) {
	gx, err := database.Open(ctx, database.Config{URL: url, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	f := &fixture{gx: gx}
	if f.sql, err = gx.DB(); err != nil {
		return nil, err
	}
	var dial gorm.Dialector = sqlite.New(sqlite.Config{Conn: f.sql})
	if gx.Dialector.Name() == "postgres" {
		dial = postgres.New(postgres.Config{Conn: f.sql})
		if f.pgx, err = pgxpool.New(ctx, url); err != nil {
			f.close()
			return nil, err
		}
	}
	if f.plain, err = gorm.Open(dial, &gorm.Config{Logger: logger.Discard}); err != nil {
		f.close()
		return nil, err
	}
	if err := f.seed(); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// seed creates the tables and fills and indexes the paged one.
func (f *fixture) seed() error {
	if err := f.gx.AutoMigrate(&Post{}, &Item{}, &TxRow{}); err != nil {
		return err
	}
	rows := make([]Item, items)
	for i := range rows {
		rows[i] = Item{ID: int64(i + 1), B: (i * 7919) % 500, Name: fmt.Sprint("item ", i+1)}
	}
	if err := f.plain.CreateInBatches(rows, 500).Error; err != nil {
		return err
	}
	analyze := "ANALYZE items"
	if f.pgx != nil {
		analyze = "VACUUM ANALYZE items"
		if err := f.plain.Raw("SHOW server_version").Scan(&f.version).Error; err != nil {
			return err
		}
	}
	for _, stmt := range []string{"CREATE INDEX items_b_id ON items (b, id)", analyze} {
		if err := f.plain.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

func (f *fixture) close() {
	if f.pgx != nil {
		f.pgx.Close()
	}
	if f.sql != nil {
		_ = f.sql.Close()
	}
}

// rebind turns ? placeholders into $1, $2... on PostgreSQL.
func (f *fixture) rebind(q string) string {
	if f.pgx == nil {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// runPostgres runs the operations in a schema of its own, with commits not
// waiting for the disk (whose latency would drown the libraries' work; every
// contender gets the same setting), and drops the schema afterwards.
func runPostgres(ctx context.Context, s settings) error {
	admin, err := pgxpool.New(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	schema := "gormext_sidebyside_" + hex.EncodeToString(buf)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return err
	}
	defer func() { _, _ = admin.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE") }()
	dsn := withParams(s.dsn, "search_path="+schema, "synchronous_commit=off")
	return runOn(ctx, "PostgreSQL", dsn, s)
}

// withParams adds run-time parameters to a URL or keyword/value DSN.
func withParams(dsn string, params ...string) string {
	if !strings.Contains(dsn, "://") {
		return dsn + " " + strings.Join(params, " ")
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(params, "&")
}
