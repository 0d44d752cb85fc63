package outbox_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// setup migrates an outbox and an inbox table named for this test and
// returns a context with db bound and the options naming the tables.
func setup(t testing.TB, db *gorm.DB) (context.Context, []outbox.Option) {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "ob_" + hex.EncodeToString(b)
	opts := []outbox.Option{outbox.WithTable(name), outbox.WithInboxTable(name + "_in")}
	if err := outbox.AutoMigrate(context.Background(), db, opts...); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE " + name + "_effects (id text PRIMARY KEY, n integer NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	return txctx.WithDB(context.Background(), db), opts
}

// stored reads the IDs of the stored messages, in sequence order, with
// plain SQL.
func stored(t testing.TB, db *gorm.DB, table string) []string {
	t.Helper()
	var ids []string
	if err := db.Raw("SELECT id FROM " + table + " ORDER BY seq").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// tableOf returns the outbox table named in opts.
func tableOf(opts []outbox.Option) string { return outbox.TableName(opts...) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
