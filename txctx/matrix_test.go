package txctx_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

// The txctx matrix: every option of Run and RunNew × the connection chosen
// with On (the default one and a second, separate database) × the path
// (top-level, nested, RunNew) × the context (plain bindings, txtest). Each
// case writes one row through DB(ctx) and checks with plain SQL where it
// landed. Adding an option, a path or a context is one line.

// matrixOption is one option of Run and RunNew.
type matrixOption struct {
	name string
	opts []txctx.Option
	// readOnly cases only read; nestedErr is what a savepoint (which cannot
	// honour the option) returns.
	readOnly  bool
	nestedErr error
}

var matrixOptions = []matrixOption{
	{name: "none"},
	{name: "ReadOnly", opts: []txctx.Option{txctx.ReadOnly()}, readOnly: true, nestedErr: txctx.ErrOptionsConflict},
	{name: "ReadWrite", opts: []txctx.Option{txctx.ReadWrite()}},
	{name: "Serializable", opts: []txctx.Option{txctx.WithIsolation(sql.LevelSerializable)}, nestedErr: txctx.ErrOptionsConflict},
	{name: "WithTimeout", opts: []txctx.Option{txctx.WithTimeout(time.Minute)}},
	{name: "Durable", opts: []txctx.Option{txctx.Durable()}, nestedErr: txctx.ErrDurable},
	{name: "WithRetry", opts: []txctx.Option{txctx.WithRetry(3), txctx.WithRetryBackoff(time.Millisecond, time.Millisecond)}, nestedErr: txctx.ErrRetryInSavepoint},
	{name: "WithRetryIf", opts: []txctx.Option{txctx.WithRetryIf(func(error) bool { return false })}},
	{name: "WithPoolWait", opts: []txctx.Option{txctx.WithPoolWait(time.Minute)}},
}

// matrixPath is how the code under test reaches the Run or RunNew: run
// calls it with the options, on the connection named target ("other" is
// the second one).
type matrixPath struct {
	name string
	run  func(ctx context.Context, target, other string, fn func(context.Context) error, opts []txctx.Option) error
	// savepoint: the call is a nested savepoint, which cannot honour the
	// options of a transaction (a first-level Run under txtest stands for
	// a transaction: it can).
	savepoint bool
	runNew    bool
}

var matrixPaths = []matrixPath{
	{name: "Run", run: func(ctx context.Context, target, _ string, fn func(context.Context) error, opts []txctx.Option) error {
		return txctx.Run(ctx, fn, append(opts, txctx.On(target))...)
	}},
	{name: "Run in Run", savepoint: true, run: func(ctx context.Context, target, _ string, fn func(context.Context) error, opts []txctx.Option) error {
		var inner error
		err := txctx.Run(ctx, func(ctx context.Context) error {
			inner = txctx.Run(ctx, fn, opts...) // no On: the enclosing Run's connection
			return nil
		}, txctx.On(target))
		return errors.Join(err, inner)
	}},
	{name: "Run in Run on other", run: func(ctx context.Context, target, other string, fn func(context.Context) error, opts []txctx.Option) error {
		var inner error
		err := txctx.Run(ctx, func(ctx context.Context) error {
			inner = txctx.Run(ctx, fn, append(opts, txctx.On(target))...)
			return nil
		}, txctx.On(other))
		return errors.Join(err, inner)
	}},
	{name: "RunNew", runNew: true, run: func(ctx context.Context, target, _ string, fn func(context.Context) error, opts []txctx.Option) error {
		return txctx.RunNew(ctx, fn, append(opts, txctx.On(target))...)
	}},
	{name: "RunNew in Run", runNew: true, run: func(ctx context.Context, target, _ string, fn func(context.Context) error, opts []txctx.Option) error {
		var inner error
		err := txctx.Run(ctx, func(ctx context.Context) error {
			inner = txctx.RunNew(ctx, fn, opts...) // no On: the enclosing Run's connection
			return nil
		}, txctx.On(target))
		return errors.Join(err, inner)
	}},
}

// matrixContext binds both connections, as a program or a test would.
type matrixContext struct {
	name      string
	underTest bool
	bind      func(t *testing.T, main, x *gorm.DB) context.Context
}

var matrixContexts = []matrixContext{
	{name: "plain", bind: func(_ *testing.T, main, x *gorm.DB) context.Context {
		return txctx.WithConnections(context.Background(), map[string]*gorm.DB{txctx.DefaultName: main, "x": x})
	}},
	{name: "txtest", underTest: true, bind: func(t *testing.T, main, x *gorm.DB) context.Context {
		return txtest.Connections(t, map[string]*gorm.DB{txctx.DefaultName: main, "x": x})
	}},
}

func TestMatrixOptionsOnConnections(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			main, other := twoDatabases(t, kind)
			dbs := map[string]*gorm.DB{txctx.DefaultName: main, "x": other}
			for _, mc := range matrixContexts {
				for _, target := range []string{txctx.DefaultName, "x"} {
					for _, path := range matrixPaths {
						for _, opt := range matrixOptions {
							name := fmt.Sprintf("%s/%s/%s/%s", mc.name, target, path.name, opt.name)
							t.Run(name, func(t *testing.T) {
								runMatrixCase(t, mc, target, path, opt, dbs, name)
							})
						}
					}
				}
			}
		})
	}
}

func runMatrixCase(t *testing.T, mc matrixContext, target string, path matrixPath, opt matrixOption, dbs map[string]*gorm.DB, label string) {
	otherName := map[string]string{txctx.DefaultName: "x", "x": txctx.DefaultName}[target]
	var wantErr error
	if path.savepoint {
		wantErr = opt.nestedErr
	}
	t.Run("case", func(t *testing.T) {
		ctx := mc.bind(t, dbs[txctx.DefaultName], dbs["x"])
		err := path.run(ctx, target, otherName, func(ctx context.Context) error {
			if !txctx.InNamedTransaction(ctx, target) || !txctx.InTransaction(ctx) {
				t.Errorf("fn is not in a transaction on %q", target)
			}
			if opt.readOnly {
				var n int64
				return txctx.DB(ctx).Raw("SELECT count(*) FROM items").Scan(&n).Error
			}
			return insert(ctx, label)
		}, opt.opts)
		if !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
			t.Fatalf("err = %v, want %v", err, wantErr)
		}
		if mc.underTest && wantErr == nil && !opt.readOnly {
			// Seen inside the test where it was written: through RunNew for
			// a RunNew (on PostgreSQL it lives in the test transaction of
			// RunNew), through NamedDB otherwise.
			if got := countIn(t, ctx, target, label, path.runNew); got != 1 {
				t.Errorf("inside the test, %q holds %d rows %q, want 1", target, got, label)
			}
		}
	})
	want := int64(1)
	if wantErr != nil || opt.readOnly || mc.underTest {
		want = 0 // refused, only read, or rolled back with the test
	}
	if got := countRaw(t, dbs[target], label); got != want {
		t.Errorf("database %q holds %d rows %q, want %d", target, got, label, want)
	}
	if got := countRaw(t, dbs[otherName], label); got != 0 {
		t.Errorf("the row landed in the other database %q", otherName)
	}
}

// countRaw counts the rows named label in db with plain SQL.
func countRaw(t *testing.T, db *gorm.DB, label string) int64 {
	t.Helper()
	var n int64
	if err := db.WithContext(context.Background()).Raw("SELECT count(*) FROM items WHERE name = ?", label).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// countIn counts the rows named label on connection name as seen from ctx,
// through a RunNew when viaRunNew.
func countIn(t *testing.T, ctx context.Context, name, label string, viaRunNew bool) int64 {
	t.Helper()
	var n int64
	read := func(ctx context.Context) error {
		return txctx.NamedDB(ctx, name).Raw("SELECT count(*) FROM items WHERE name = ?", label).Scan(&n).Error
	}
	var err error
	if viaRunNew {
		err = txctx.RunNew(ctx, read, txctx.On(name))
	} else {
		err = read(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}
