package outbox_test

import (
	"context"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/benchkit"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// BenchmarkProducer is the producer's cost: a transaction with one insert
// (the baseline) beside the same transaction with one outbox.Add, with and
// without the NOTIFY, all interleaved (benchkit.Interleave). It reports
// "add/insert" and "add-nonotify/insert": the candidate's time over the
// baseline's; and, for reference, "two-inserts/insert": the same
// transaction with a second plain INSERT into the outbox table, the cost of
// one more statement's round trip, the floor of anything written in a
// statement of its own. On PostgreSQL it runs on a pool opened with plain
// GORM ("postgres") and on one opened with database.Open ("postgres-open"),
// whose connections send the messages' statement with the COMMIT.
func BenchmarkProducer(b *testing.B) {
	for _, c := range []struct {
		name string
		kind testdb.Kind
		opts []testdb.Option
	}{
		{"sqlite", testdb.SQLite, []testdb.Option{testdb.Plain()}},
		{"postgres", testdb.Postgres, []testdb.Option{testdb.Plain()}},
		{"postgres-open", testdb.Postgres, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			if c.kind == testdb.Postgres && testdb.PostgresDSN() == "" {
				b.Skip(testdb.EnvPostgresDSN + " not set")
			}
			benchProducer(b, testdb.Open(b, c.kind, c.opts...))
		})
	}
}

func benchProducer(b *testing.B, db *gorm.DB) {
	ctx, opts := setup(b, db)
	table := tableOf(opts)
	insert := "INSERT INTO " + table + "_effects (id, n) VALUES (?, 1)"
	withNotify, withoutNotify := outbox.New(opts...), outbox.New(append(opts, outbox.WithoutNotify())...)
	i := 0
	second := "INSERT INTO " + table + " (id, topic, key, payload, headers, created_at) VALUES (?, 't', ?, ?, '', 0)"
	work := func(s *outbox.Store) func() error {
		return func() error {
			return txctx.Run(ctx, func(ctx context.Context) error {
				i++
				id := string(rune('a'+i%26)) + strconv.Itoa(i)
				if err := txctx.DB(ctx).Exec(insert, id).Error; err != nil {
					return err
				}
				if s == nil {
					return nil
				}
				if s == plainInsert {
					return txctx.DB(ctx).Exec(second, "p"+id, id, []byte(`{"id":1}`)).Error
				}
				return s.Add(ctx, outbox.Message{Topic: "orders.created", Key: id, Payload: []byte(`{"id":1}`)})
			})
		}
	}
	b.ReportAllocs()
	benchkit.Interleave(b,
		benchkit.Op{Name: "insert", Run: work(nil)},
		benchkit.Op{Name: "add", Run: work(withNotify)},
		benchkit.Op{Name: "add-nonotify", Run: work(withoutNotify)},
		benchkit.Op{Name: "two-inserts", Run: work(plainInsert)},
	)
}

// plainInsert marks the reference side: a second plain INSERT.
var plainInsert = outbox.New()
