package outbox_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

// TestRelayAndHandlersShareAConnection: a relay and message handlers on one
// *gorm.DB that nothing bound to a context before (a worker that relays
// and consumes in one process) run side by side; under -race, txctx's
// callbacks are registered when the relay and the handler are made, never
// while the other is sending statements.
func TestRelayAndHandlersShareAConnection(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		name := "obs_" + hex.EncodeToString(b)
		opts := []outbox.Option{outbox.WithTable(name), outbox.WithInboxTable(name + "_in"), outbox.WithPollInterval(5 * time.Millisecond)}
		must(t, outbox.AutoMigrate(context.Background(), db, opts...))
		must(t, db.Exec("CREATE TABLE "+name+"_effects (id text PRIMARY KEY)").Error)

		ctx, cancel := context.WithCancel(context.Background())
		relay := outbox.NewRelay(db, &outbox.MemoryPublisher{}, opts...)
		var wg sync.WaitGroup
		wg.Go(func() { _ = relay.Run(ctx) })
		defer func() { cancel(); wg.Wait() }()
		time.Sleep(20 * time.Millisecond) // the relay polls meanwhile

		h := outbox.Idempotent(db, func(ctx context.Context, msg outbox.Message) error {
			return txctx.DB(ctx).Exec("INSERT INTO "+name+"_effects (id) VALUES (?)", msg.ID).Error
		}, opts...)
		for i := range 5 {
			if err := h(context.Background(), outbox.Message{ID: fmt.Sprint("m", i), Topic: "t"}); err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		must(t, db.Raw("SELECT count(*) FROM "+name+"_effects").Scan(&n).Error)
		if n != 5 {
			t.Fatalf("%d effects, want 5", n)
		}
	})
}
