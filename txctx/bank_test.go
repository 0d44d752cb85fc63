package txctx_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormext/gormext/txctx"
)

type account struct {
	ID      int `gorm:"primaryKey;autoIncrement:false"`
	Balance int64
}

// TestBankTransfers moves money between 10 accounts from 16 goroutines, 500
// transfers each, under SERIALIZABLE with WithRetry: every transfer
// succeeds and the total is unchanged. The number of retries is logged.
func TestBankTransfers(t *testing.T) {
	const (
		accounts  = 10
		workers   = 16
		transfers = 500
		initial   = 1_000_000
	)
	db := postgresOnly(t)
	if err := db.AutoMigrate(&account{}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= accounts; i++ {
		if err := db.Create(&account{ID: i, Balance: initial}).Error; err != nil {
			t.Fatal(err)
		}
	}
	ctx := txctx.WithDB(context.Background(), db)
	var attempts, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		rng := rand.New(rand.NewPCG(uint64(w), 42))
		wg.Go(func() {
			for range transfers {
				from := 1 + rng.IntN(accounts)
				to := 1 + (from+rng.IntN(accounts-1))%accounts
				amount := 1 + rng.Int64N(100)
				err := txctx.Run(ctx, func(ctx context.Context) error {
					attempts.Add(1)
					return transfer(ctx, from, to, amount)
				}, txctx.WithIsolation(sql.LevelSerializable), txctx.WithRetry(1000),
					txctx.WithRetryBackoff(time.Millisecond, 50*time.Millisecond))
				if err != nil {
					failed.Add(1)
					t.Errorf("transfer %d -> %d: %v", from, to, err)
				}
			}
		})
	}
	wg.Wait()
	var total int64
	if err := db.Model(&account{}).Select("SUM(balance)").Scan(&total).Error; err != nil {
		t.Fatal(err)
	}
	if total != accounts*initial {
		t.Errorf("total = %d, want %d", total, accounts*initial)
	}
	if failed.Load() != 0 {
		t.Errorf("%d transfers failed", failed.Load())
	}
	t.Logf("%d transfers, %d attempts: %d retries", workers*transfers, attempts.Load(), attempts.Load()-workers*transfers)
	wantPoolIdle(t, db)
}

// transfer updates the two accounts in id order, as careful code does, so
// that two opposite transfers conflict (40001) rather than wait a whole
// deadlock_timeout to deadlock (40P01).
func transfer(ctx context.Context, from, to int, amount int64) error {
	first, second, delta := from, to, -amount
	if to < from {
		first, second, delta = to, from, amount
	}
	if err := txctx.DB(ctx).Exec("UPDATE accounts SET balance = balance + ? WHERE id = ?", delta, first).Error; err != nil {
		return err
	}
	return txctx.DB(ctx).Exec("UPDATE accounts SET balance = balance + ? WHERE id = ?", -delta, second).Error
}
