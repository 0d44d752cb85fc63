package txctx_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/txctx"
)

// item is the row the tests write.
type item struct {
	ID   uint `gorm:"primaryKey"`
	Name string
}

// bind migrates the test table and returns a context with db bound.
func bind(t testing.TB, db *gorm.DB) context.Context {
	t.Helper()
	if err := db.AutoMigrate(&item{}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return txctx.WithDB(context.Background(), db)
}

// insert writes one row through the session of ctx.
func insert(ctx context.Context, name string) error {
	return txctx.DB(ctx).Create(&item{Name: name}).Error
}

// names reads every row's name, sorted, outside any transaction.
func names(t testing.TB, db *gorm.DB) []string {
	t.Helper()
	var out []string
	if err := db.WithContext(context.Background()).Model(&item{}).Pluck("name", &out).Error; err != nil {
		t.Fatalf("read names: %v", err)
	}
	sort.Strings(out)
	return out
}

func wantNames(t testing.TB, db *gorm.DB, want ...string) {
	t.Helper()
	got := names(t, db)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("rows = %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("rows = %q, want %q", got, want)
		}
	}
}

// inUse returns the number of connections of db's pool in use.
func inUse(t testing.TB, db *gorm.DB) int {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB.Stats().InUse
}

// settledInUse returns the number of connections in use once the pool has
// settled: database.Open's bounded pool gives a transaction's connection
// back from a goroutine when the transaction ends, so the count drops a
// moment after Commit or Rollback returns, not at once. It waits at most 5 s.
func settledInUse(t testing.TB, db *gorm.DB) int {
	t.Helper()
	return settleTo(t, db, 0)
}

// settleTo waits, at most 5 s, until at most n connections are in use, and
// returns the number in use then.
func settleTo(t testing.TB, db *gorm.DB, n int) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := inUse(t, db)
		if got <= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(time.Millisecond)
	}
}

func wantPoolIdle(t testing.TB, db *gorm.DB) {
	t.Helper()
	if n := settledInUse(t, db); n != 0 {
		t.Fatalf("connections in use after the transactions ended: %d, want 0", n)
	}
}
