package outbox_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/txctx"
)

func Example() {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	if err != nil {
		panic(err)
	}
	defer func() { s, _ := db.DB(); _ = s.Close() }()
	if err := outbox.AutoMigrate(ctx, db); err != nil {
		panic(err)
	}
	ctx = txctx.WithDB(ctx, db)

	// Producer: the message is stored with the transaction's work.
	_ = txctx.Run(ctx, func(ctx context.Context) error {
		return outbox.Add(ctx, outbox.Message{Topic: "orders.created", Key: "order-1", Payload: []byte(`{"id":1}`)})
	})
	_ = txctx.Run(ctx, func(ctx context.Context) error {
		_ = outbox.Add(ctx, outbox.Message{Topic: "orders.created", Key: "order-2"})
		return errors.New("out of stock") // rolled back: no message
	})

	// Relay: publishes what committed (Run does the same in a loop).
	var pub outbox.MemoryPublisher
	n, err := outbox.NewRelay(db, &pub).RunOnce(ctx)
	fmt.Println(n, err)
	for _, m := range pub.Messages() {
		fmt.Println(m.Topic, m.Key, string(m.Payload))
	}
	// Output:
	// 1 <nil>
	// orders.created order-1 {"id":1}
}

func ExampleIdempotent() {
	ctx := context.Background()
	db, _ := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	defer func() { s, _ := db.DB(); _ = s.Close() }()
	_ = outbox.AutoMigrate(ctx, db)

	handled := 0
	h := outbox.Idempotent(db, func(ctx context.Context, m outbox.Message) error {
		handled++ // write the handler's effects with txctx.DB(ctx)
		return nil
	})
	m := outbox.Message{ID: "3f0c", Topic: "orders.created"}
	fmt.Println(h(ctx, m), h(ctx, m), handled) // the second delivery is acknowledged
	// Output:
	// <nil> <nil> 1
}
