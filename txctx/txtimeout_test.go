package txctx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
)

// gorm.Config.DefaultTransactionTimeout is the deadline of the outermost
// Run and of RunNew when they have no WithTimeout: fn's context carries
// it, and a transaction that outlives it is reported as the context's
// deadline (rolled back), not as a failed commit.
func TestDefaultTransactionTimeoutIsTheDeadlineOfRun(t *testing.T) {
	paths := []struct {
		name string
		run  func(ctx context.Context, fn func(context.Context) error) error
	}{
		{"Run", func(ctx context.Context, fn func(context.Context) error) error { return txctx.Run(ctx, fn) }},
		{"RunNew", func(ctx context.Context, fn func(context.Context) error) error { return txctx.RunNew(ctx, fn) }},
	}
	// What fn does once the deadline has passed.
	after := map[string]func(ctx context.Context) error{
		"statement": func(ctx context.Context) error { return insert(ctx, "late") },
		"returns":   func(context.Context) error { return nil },
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		ctx := bind(t, db)
		for _, p := range paths {
			for name, then := range after {
				t.Run(p.name+"/"+name, func(t *testing.T) {
					err := p.run(ctx, func(ctx context.Context) error {
						if err := insert(ctx, "early"); err != nil {
							return err
						}
						if err := waitForDeadline(ctx); err != nil {
							t.Fatal(err)
						}
						return then(ctx)
					})
					if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, txctx.ErrCommit) {
						t.Errorf("err = %v, want context.DeadlineExceeded, not ErrCommit", err)
					}
					wantNames(t, db)
					wantPoolIdle(t, db)
				})
			}
		}
		// WithTimeout wins over the configuration.
		err := txctx.Run(ctx, func(ctx context.Context) error {
			if d, ok := ctx.Deadline(); !ok || time.Until(d) < time.Minute {
				t.Errorf("deadline %v (set %v), want WithTimeout's hour", d, ok)
			}
			return nil
		}, txctx.WithTimeout(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
	}, testdb.WithConfig(func(c *database.Config) {
		c.GORM = func(g *gorm.Config) { g.DefaultTransactionTimeout = 100 * time.Millisecond }
	}))
}

// waitForDeadline waits until ctx's deadline has passed; it fails if ctx
// has none.
func waitForDeadline(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("fn's context has no deadline")
	}
	<-ctx.Done()
	return nil
}
