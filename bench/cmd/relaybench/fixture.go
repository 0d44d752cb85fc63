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
	amqp091 "github.com/rabbitmq/amqp091-go"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// poolSize is the pool's steady size (database.Config.PoolSize): the
// producers, the relay (claims, settles, LISTEN) or the forwarder (its
// subscriber's transaction) all at once.
const poolSize = 24

// fixture is the database and the broker both contenders use: one pool
// (gormext's database.Open; Watermill gets its *sql.DB) in a schema of
// this run, and an AMQP channel to declare, count and delete queues.
type fixture struct {
	db            *gorm.DB
	sql           *sql.DB
	admin         *pgxpool.Pool
	schema        string
	amqpURL       string
	conn          *amqp091.Connection
	ch            *amqp091.Channel
	queues        []string
	version       string
	brokerVersion string
	seq           int
}

func openFixture(ctx context.Context, s settings) (f *fixture, err error) {
	f = &fixture{amqpURL: s.amqpURL, schema: "gormext_relaybench_" + randomHex(4)}
	defer func() {
		if err != nil {
			f.close()
		}
	}()
	if f.admin, err = pgxpool.New(ctx, s.dsn); err != nil {
		return f, err
	}
	if _, err = f.admin.Exec(ctx, "CREATE SCHEMA "+f.schema); err != nil {
		f.schema = ""
		return f, err
	}
	// The server's synchronous_commit is left as it is: a message must be
	// durable once its transaction commits.
	f.db, err = database.Open(ctx, database.Config{URL: withParams(s.dsn, "search_path="+f.schema), PoolSize: poolSize, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return f, err
	}
	if f.sql, err = f.db.DB(); err != nil {
		return f, err
	}
	if err = f.db.WithContext(ctx).Raw("SHOW server_version").Scan(&f.version).Error; err != nil {
		return f, err
	}
	f.version = "PostgreSQL " + strings.Fields(f.version)[0]
	if f.conn, err = amqp091.Dial(s.amqpURL); err != nil {
		return f, fmt.Errorf("amqp: %w", err)
	}
	if f.ch, err = f.conn.Channel(); err != nil {
		return f, fmt.Errorf("amqp: %w", err)
	}
	f.brokerVersion, _ = f.conn.Properties["version"].(string)
	return f, nil
}

// queue declares a durable queue of this run, bound to the default
// exchange under its name (the routing key both contenders publish with).
func (f *fixture) queue(prefix string) (string, error) {
	f.seq++
	name := fmt.Sprintf("%s.%s.%d", f.schema, prefix, f.seq)
	if _, err := f.ch.QueueDeclare(name, true, false, false, false, nil); err != nil {
		return "", err
	}
	f.queues = append(f.queues, name)
	return name, nil
}

// amqpDest is a queue of the fixture.
type amqpDest struct {
	f     *fixture
	queue string
}

func (d amqpDest) depth(context.Context) (int, error) { return d.f.depth(d.queue) }
func (d amqpDest) drop(context.Context) error         { return d.f.drop(d.queue) }

// table returns a table name unique in this run.
func (f *fixture) table(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s_%d", prefix, f.seq)
}

// depth is how many messages the queue holds.
func (f *fixture) depth(name string) (int, error) {
	q, err := f.ch.QueueDeclarePassive(name, true, false, false, false, nil)
	return q.Messages, err
}

// drop deletes a queue of this run with its messages.
func (f *fixture) drop(name string) error {
	_, err := f.ch.QueueDelete(name, false, false, false)
	return err
}

func (f *fixture) close() {
	if f.ch != nil {
		for _, q := range f.queues {
			_, _ = f.ch.QueueDelete(q, false, false, false)
		}
	}
	if f.conn != nil {
		_ = f.conn.Close()
	}
	if f.sql != nil {
		_ = f.sql.Close()
	}
	if f.admin != nil {
		if f.schema != "" {
			_, _ = f.admin.Exec(context.Background(), "DROP SCHEMA "+f.schema+" CASCADE")
		}
		f.admin.Close()
	}
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
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
