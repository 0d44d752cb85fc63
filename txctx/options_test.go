package txctx_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

func TestReadOnly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "x") }, txctx.ReadOnly())
		if err == nil {
			t.Fatal("insert in a read-only transaction succeeded")
		}
		// Reads work, and the connection is writable again afterwards.
		err = txctx.Run(ctx, func(ctx context.Context) error {
			var n int64
			return txctx.DB(ctx).Model(&item{}).Count(&n).Error
		}, txctx.ReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "w") }); err != nil {
				t.Fatalf("write after a read-only transaction: %v", err)
			}
		}
		wantNames(t, db, "w", "w", "w")
	})
}

func TestIsolationLevelIsApplied(t *testing.T) {
	if testdb.PostgresDSN() == "" {
		t.Skip("SQLite has one isolation level (serializable)")
	}
	db := testdb.Open(t, testdb.Postgres)
	ctx := bind(t, db)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		var level string
		if err := txctx.DB(ctx).Raw("SHOW transaction_isolation").Scan(&level).Error; err != nil {
			return err
		}
		if level != "serializable" {
			t.Errorf("transaction_isolation = %q, want serializable", level)
		}
		return nil
	}, txctx.WithIsolation(sql.LevelSerializable))
	if err != nil {
		t.Fatal(err)
	}
}

func TestNestedOptionsConflict(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		nop := func(context.Context) error { return nil }
		cases := []struct {
			name  string
			outer []txctx.Option
			inner []txctx.Option
			want  error
		}{
			{"read-only in read-write", nil, []txctx.Option{txctx.ReadOnly()}, txctx.ErrOptionsConflict},
			{"read-write in read-only", []txctx.Option{txctx.ReadOnly()}, []txctx.Option{txctx.ReadWrite()}, txctx.ErrOptionsConflict},
			{"isolation differs", nil, []txctx.Option{txctx.WithIsolation(sql.LevelSerializable)}, txctx.ErrOptionsConflict},
			{"durable nested", nil, []txctx.Option{txctx.Durable()}, txctx.ErrDurable},
			{"retry nested", nil, []txctx.Option{txctx.WithRetry(3)}, txctx.ErrRetryInSavepoint},
			{"same read-only", []txctx.Option{txctx.ReadOnly()}, []txctx.Option{txctx.ReadOnly()}, nil},
			{"same isolation", []txctx.Option{txctx.WithIsolation(sql.LevelSerializable)}, []txctx.Option{txctx.WithIsolation(sql.LevelSerializable)}, nil},
			{"no options inherit", []txctx.Option{txctx.ReadOnly()}, nil, nil},
		}
		for _, tc := range cases {
			var inner error
			err := txctx.Run(ctx, func(ctx context.Context) error {
				inner = txctx.Run(ctx, nop, tc.inner...)
				return nil
			}, tc.outer...)
			if err != nil {
				t.Fatalf("%s: outer: %v", tc.name, err)
			}
			if tc.want == nil && inner != nil || tc.want != nil && !errors.Is(inner, tc.want) {
				t.Errorf("%s: nested Run = %v, want %v", tc.name, inner, tc.want)
			}
		}
	})
}

func TestDurableOutermostCommits(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		if err := txctx.Run(ctx, func(ctx context.Context) error { return insert(ctx, "d") }, txctx.Durable()); err != nil {
			t.Fatal(err)
		}
		// RunNew is always outermost on its own connection: Durable is fine.
		err := txctx.Run(ctx, func(ctx context.Context) error {
			return txctx.RunNew(ctx, func(ctx context.Context) error { return nil }, txctx.Durable())
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "d")
	})
}

func TestTimeoutEndsTheTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if err := insert(ctx, "late"); err != nil {
				return err
			}
			<-ctx.Done()
			return nil
		}, txctx.WithTimeout(20*time.Millisecond))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		wantNames(t, db)
		wantPoolIdle(t, db)
	})
}

func TestErrorMessagesSayWhatToChange(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		_ = txctx.Run(ctx, func(ctx context.Context) error {
			err := txctx.Run(ctx, func(context.Context) error { return nil }, txctx.Durable())
			if !strings.Contains(err.Error(), "RunNew") {
				t.Errorf("durable error %q does not suggest RunNew", err)
			}
			return nil
		})
	})
}

func TestNestedTimeoutRollsBackTheSavepointOnly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			err := txctx.Run(ctx, func(ctx context.Context) error {
				if err := insert(ctx, "slow"); err != nil {
					return err
				}
				<-ctx.Done()
				return nil
			}, txctx.WithTimeout(20*time.Millisecond))
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("nested err = %v, want DeadlineExceeded", err)
			}
			return insert(ctx, "outer")
		})
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, db, "outer")
	})
}
