package gormextotel_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// TestOutboxStatementSpan: the statement that writes a transaction's
// messages starts with the at-commit marker, an SQL comment; its span is
// still named after its operation. On PostgreSQL it is sent with the
// COMMIT, so its row count is unknown when the span ends: the span has
// none.
func TestOutboxStatementSpan(t *testing.T) {
	forEachDB(t, nil, func(t *testing.T, db *gorm.DB) {
		opts := []outbox.Option{outbox.WithTable("otel_outbox"), outbox.WithInboxTable("otel_inbox")}
		if err := outbox.AutoMigrate(context.Background(), db, opts...); err != nil {
			t.Fatal(err)
		}
		exp, _ := traced(t, db)
		store := outbox.New(opts...)
		ctx := txctx.WithDB(context.Background(), db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			return store.Add(ctx, outbox.Message{Topic: "t", Key: "k", Payload: []byte("{}")})
		})
		if err != nil {
			t.Fatal(err)
		}
		op := map[string]string{"sqlite": "INSERT", "postgres": "WITH"}[db.Dialector.Name()]
		s := newTree(exp.GetSpans()).only(t, op)
		wantAttrs(t, s, map[string]string{"db.operation.name": op})
		_, hasRows := attrValue(s, "gormext.db.rows_affected")
		if want := op == "INSERT"; hasRows != want {
			t.Errorf("row count present: %v, want %v", hasRows, want)
		}
	})
}
