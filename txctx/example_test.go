package txctx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/txctx"
)

type order struct {
	ID    uint `gorm:"primaryKey"`
	Total int
}

func Example() {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	if err != nil {
		panic(err)
	}
	defer func() { s, _ := db.DB(); _ = s.Close() }()
	_ = db.AutoMigrate(&order{})

	ctx = txctx.WithDB(ctx, db)
	err = txctx.Run(ctx, func(ctx context.Context) error {
		if err := txctx.DB(ctx).Create(&order{Total: 10}).Error; err != nil {
			return err
		}
		txctx.AfterCommit(ctx, func(context.Context) { fmt.Println("published after commit") })
		// A nested Run is a savepoint: its failure leaves the outer work.
		err := txctx.Run(ctx, func(ctx context.Context) error {
			_ = txctx.DB(ctx).Create(&order{Total: 99}).Error
			return errors.New("out of stock")
		})
		fmt.Println("savepoint:", err)
		return nil
	})
	var totals []int
	db.Model(&order{}).Pluck("total", &totals)
	fmt.Println(err, totals)
	// Output:
	// savepoint: out of stock
	// published after commit
	// <nil> [10]
}

func ExampleRunNew() {
	ctx := context.Background()
	db, _ := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	defer func() { s, _ := db.DB(); _ = s.Close() }()
	_ = db.AutoMigrate(&order{})
	ctx = txctx.WithDB(ctx, db)

	err := txctx.Run(ctx, func(ctx context.Context) error {
		// Independent: committed although the outer transaction rolls back.
		// (On SQLite it must run before the outer transaction writes.)
		if err := txctx.RunNew(ctx, func(ctx context.Context) error {
			return txctx.DB(ctx).Create(&order{Total: 1}).Error
		}); err != nil {
			return err
		}
		_ = txctx.DB(ctx).Create(&order{Total: 2}).Error
		return errors.New("payment refused")
	})
	var totals []int
	db.Model(&order{}).Pluck("total", &totals)
	fmt.Println(err, totals)
	// Output: payment refused [1]
}

func ExampleAfterRollback() {
	ctx := context.Background()
	db, _ := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	defer func() { s, _ := db.DB(); _ = s.Close() }()
	_ = db.AutoMigrate(&order{})
	ctx = txctx.WithDB(ctx, db)

	_ = txctx.Run(ctx, func(ctx context.Context) error {
		txctx.AfterRollback(ctx, func(ctx context.Context) {
			// The failed transaction is gone: this write is on its own.
			_ = txctx.DB(ctx).Create(&order{Total: -1}).Error
		})
		_ = txctx.DB(ctx).Create(&order{Total: 5}).Error
		return errors.New("failed")
	})
	var totals []int
	db.Model(&order{}).Pluck("total", &totals)
	fmt.Println(totals)
	// Output: [-1]
}

func ExampleMiddleware() {
	ctx := context.Background()
	db, _ := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	defer func() { s, _ := db.DB(); _ = s.Close() }()
	_ = db.AutoMigrate(&order{})

	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := txctx.DB(r.Context()).Create(&order{Total: 7}).Error; err != nil {
			http.Error(w, "cannot create", http.StatusInternalServerError)
			return
		}
		if r.URL.Query().Has("fail") {
			http.Error(w, "validation failed", http.StatusUnprocessableEntity) // rolls back
			return
		}
		w.WriteHeader(http.StatusCreated) // held until the commit
	})
	h := txctx.Middleware(db)(create)

	for _, url := range []string{"/orders", "/orders?fail"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, url, nil))
		fmt.Println(url, rec.Code)
	}
	var n int64
	db.Model(&order{}).Count(&n)
	fmt.Println("orders:", n)
	// Output:
	// /orders 201
	// /orders?fail 422
	// orders: 1
}

// logObserver prints what it is told; an OpenTelemetry observer starts a
// span in Start and ends it in End.
type logObserver struct{}

func (logObserver) Start(ctx context.Context, s txctx.Scope) context.Context {
	fmt.Println("start", s.Kind, s.Savepoint, "attempt", s.Attempt)
	return ctx
}

func (logObserver) End(_ context.Context, s txctx.Scope, r txctx.Result) {
	fmt.Println("end", s.Kind, s.Savepoint, r.Outcome)
}

func ExampleObserve() {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:"})
	if err != nil {
		panic(err)
	}
	defer func() { s, _ := db.DB(); _ = s.Close() }()
	if err := txctx.Observe(db, logObserver{}); err != nil {
		panic(err)
	}

	ctx = txctx.WithDB(ctx, db)
	_ = txctx.Run(ctx, func(ctx context.Context) error {
		_ = txctx.Run(ctx, func(ctx context.Context) error { return errors.New("out of stock") })
		return nil
	})
	// Output:
	// start transaction  attempt 1
	// start savepoint sp_1 attempt 1
	// end savepoint sp_1 rollback
	// end transaction  commit
}
