package database_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

const poolTimeout = 300 * time.Millisecond

func poolOfOne(c *database.Config) {
	c.PoolSize = 1
	c.MaxOverflow = -1
	c.PoolTimeout = poolTimeout
}

type counter struct {
	ID int64
	N  int
}

// holdOnlyConnection begins a transaction that holds the pool's only
// connection until the test ends.
func holdOnlyConnection(t *testing.T, db *gorm.DB) {
	t.Helper()
	tx := db.Begin()
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
	if err := tx.Create(&counter{N: 1}).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
}

func TestPoolTimeout(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&counter{}); err != nil {
			t.Fatal(err)
		}
		holdOnlyConnection(t, db)
		calls := map[string]func() error{
			"Exec":     func() error { return db.Exec("UPDATE counters SET n = 2").Error },
			"Find":     func() error { return db.Find(&[]counter{}).Error },
			"Create":   func() error { return db.Create(&counter{N: 3}).Error },
			"Row":      func() error { var n int; return db.Raw("SELECT 1").Row().Scan(&n) },
			"Begin":    func() error { return db.Begin().Error },
			"Tx":       func() error { return db.Transaction(func(*gorm.DB) error { return nil }) },
			"Rows":     func() error { _, err := db.Raw("SELECT 1").Rows(); return err },
			"Migrator": func() error { return db.AutoMigrate(&author{}) },
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				err := call()
				if !errors.Is(err, database.ErrPoolTimeout) {
					t.Fatalf("err = %v, want ErrPoolTimeout", err)
				}
				if errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("a pool timeout should not look like the caller's deadline: %v", err)
				}
			})
		}
	}, testdb.WithConfig(poolOfOne))
}

func TestCallerDeadlineIsNotAPoolTimeout(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		holdOnlyConnection2 := db.Begin()
		if holdOnlyConnection2.Error != nil {
			t.Fatal(holdOnlyConnection2.Error)
		}
		defer holdOnlyConnection2.Rollback()
		for _, d := range []time.Duration{50 * time.Millisecond, time.Hour} {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			if d == time.Hour {
				// A deadline later than the pool timeout, cancelled by hand.
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			err := db.WithContext(ctx).Exec("SELECT 1").Error
			cancel()
			if errors.Is(err, database.ErrPoolTimeout) || ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
				t.Fatalf("deadline %s: err = %v, want the context's error %v", d, err, ctx.Err())
			}
		}
	}, testdb.WithConfig(func(c *database.Config) { poolOfOne(c); c.PoolTimeout = time.Minute }))
}

func TestConnectionsComeBackToThePool(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&counter{}); err != nil {
			t.Fatal(err)
		}
		// With a pool of one, every call below would time out if any
		// earlier one kept the connection.
		for i := range 20 {
			if err := db.Create(&counter{N: i}).Error; err != nil {
				t.Fatal(err)
			}
			var got []counter
			if err := db.Find(&got).Error; err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.Raw("SELECT COUNT(*) FROM counters").Row().Scan(&n); err != nil || n != i+1 {
				t.Fatalf("count = %d, %v; want %d", n, err, i+1)
			}
			rows, err := db.Raw("SELECT n FROM counters").Rows()
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if err := db.Transaction(func(tx *gorm.DB) error {
				return tx.Model(&counter{}).Where("n = ?", i).Update("n", i).Error
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.Transaction(func(tx *gorm.DB) error { return errors.New("roll back") }); err == nil {
				t.Fatal("want the rollback's error")
			}
		}
		assertIdle(t, db)
	}, testdb.WithConfig(poolOfOne))
}

func TestPoolReleasesGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, kind := range testdb.Kinds() {
		db := openKind(t, kind, poolOfOne)
		for range 50 {
			var n int
			if err := db.Raw("SELECT 1").Row().Scan(&n); err != nil {
				t.Fatal(err)
			}
			if err := db.Transaction(func(tx *gorm.DB) error { return tx.Exec("SELECT 1").Error }); err != nil {
				t.Fatal(err)
			}
		}
		tx := db.Begin()
		err := db.Exec("SELECT 1").Error
		tx.Rollback()
		if !errors.Is(err, database.ErrPoolTimeout) {
			t.Fatalf("%s: err = %v, want ErrPoolTimeout", kind, err)
		}
		if err := database.Close(db); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPoolSettingsApplied(t *testing.T) {
	tests := []struct {
		cfg      func(*database.Config)
		wantOpen int
	}{
		{func(*database.Config) {}, database.DefaultPoolSize + database.DefaultMaxOverflow},
		{func(c *database.Config) { c.PoolSize = 3; c.MaxOverflow = 2 }, 5},
		{func(c *database.Config) { c.PoolSize = 2; c.MaxOverflow = -1 }, 2},
	}
	for _, tt := range tests {
		testdb.Run(t, func(t *testing.T, db *gorm.DB) {
			s, err := db.DB()
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Stats().MaxOpenConnections; got != tt.wantOpen {
				t.Fatalf("MaxOpenConnections = %d, want %d", got, tt.wantOpen)
			}
		}, testdb.WithConfig(tt.cfg))
	}
}

func inUse(t *testing.T, db *gorm.DB) int {
	t.Helper()
	s, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	return s.Stats().InUse
}

type parent struct {
	ID   int64
	Kids []kid
}

type kid struct {
	ID       int64
	ParentID int64
	N        int
}

func TestFinishersGiveTheConnectionBackAtOnce(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&counter{}, &parent{}, &kid{}); err != nil {
			t.Fatal(err)
		}
		assertIdle(t, db)
		steps := map[string]func() error{
			"Create": func() error { return db.Create(&counter{N: 1}).Error },
			"Find":   func() error { return db.Find(&[]counter{}).Error },
			"First":  func() error { return db.First(&counter{}).Error },
			"Count":  func() error { var n int64; return db.Model(&counter{}).Count(&n).Error },
			"Update": func() error { return db.Model(&counter{}).Where("n = ?", 1).Update("n", 2).Error },
			"Delete": func() error { return db.Where("n = ?", 2).Delete(&counter{}).Error },
			"Failed": func() error { db.Raw("SELECT * FROM no_such_table").Find(&[]counter{}); return nil },
			"Preload": func() error {
				if err := db.Create(&parent{Kids: []kid{{N: 1}, {N: 2}}}).Error; err != nil {
					return err
				}
				var ps []parent
				if err := db.Preload("Kids").Find(&ps).Error; err != nil || len(ps) != 1 || len(ps[0].Kids) != 2 {
					return fmt.Errorf("preload: %+v, %v", ps, err)
				}
				return nil
			},
		}
		for _, name := range []string{"Create", "Find", "First", "Count", "Update", "Delete", "Failed", "Preload"} {
			if err := steps[name](); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if n := inUse(t, db); n != 0 {
				t.Fatalf("after %s: %d connections in use, want 0 at once", name, n)
			}
		}
	})
}

// assertIdle fails unless no connection is in use: every connection is
// back in the pool the moment the call that took it returns.
func assertIdle(t *testing.T, db *gorm.DB) {
	t.Helper()
	if n := inUse(t, db); n != 0 {
		t.Fatalf("%d connections still in use", n)
	}
}

func TestPanicAfterTheQueryDoesNotLeakTheConnection(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&counter{}); err != nil {
			t.Fatal(err)
		}
		// A callback after GORM's query panics, as a plugin's or GORM's
		// own code might.
		err := db.Callback().Query().After("gorm:query").Before("gorm:after_query").
			Register("test:panic", func(tx *gorm.DB) {
				if tx.Statement.Table == "counters" {
					panic("after the query")
				}
			})
		if err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() { _ = recover() }()
			db.Find(&[]counter{})
			t.Fatal("the query did not panic")
		}()
		// GORM closed the rows before the panic: the connection is back.
		assertIdle(t, db)
		if err := db.Exec("SELECT 1").Error; err != nil {
			t.Fatalf("the pool of one is still exhausted after the panic: %v", err)
		}
	}, testdb.WithConfig(poolOfOne))
}

func TestForeignTransactionInsideAStatementDoesNotBlockItsRelease(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&counter{}); err != nil {
			t.Fatal(err)
		}
		// A plugin begins a transaction of its own with the statement's
		// context, and ends it only after the statement.
		var foreign *gorm.DB
		for _, reg := range []func(func(*gorm.DB)) error{
			func(f func(*gorm.DB)) error {
				return db.Callback().Query().Before("gorm:query").Register("test:begin", f)
			},
			func(f func(*gorm.DB)) error {
				return db.Callback().Create().Before("gorm:create").Register("test:begin", f)
			},
		} {
			err := reg(func(tx *gorm.DB) {
				if foreign == nil && tx.Statement.Table == "counters" {
					foreign = db.WithContext(tx.Statement.Context).Begin()
				}
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, step := range []func() error{
			func() error { return db.Find(&[]counter{}).Error },
			func() error { return db.Create(&counter{N: 1}).Error },
			// Without GORM's transaction the slot stays empty until sealed.
			func() error {
				return db.Session(&gorm.Session{SkipDefaultTransaction: true}).Create(&counter{N: 2}).Error
			},
		} {
			foreign = nil
			done := make(chan error, 1)
			go func() { done <- step() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the statement waited for a transaction it did not begin")
			}
			if foreign == nil || foreign.Error != nil {
				t.Fatalf("the plugin's transaction did not begin: %v", foreign)
			}
			if err := foreign.Commit().Error; err != nil {
				t.Fatal(err)
			}
		}
		assertIdle(t, db)
	})
}

// busyHooks runs statements of its own from inside GORM's callbacks.
type busyHooks struct {
	ID int64
	N  int
}

func (b *busyHooks) AfterFind(tx *gorm.DB) error {
	var n int64
	if err := tx.Session(&gorm.Session{NewDB: true}).Model(&counter{}).Count(&n).Error; err != nil {
		return err
	}
	rows, err := tx.Session(&gorm.Session{NewDB: true}).Raw("SELECT 1").Rows()
	if err != nil {
		return err
	}
	rows.Close()
	return tx.Session(&gorm.Session{NewDB: true}).Create(&counter{N: 99}).Error
}

func (b *busyHooks) AfterCreate(tx *gorm.DB) error {
	var n int64
	return tx.Session(&gorm.Session{NewDB: true}).Model(&counter{}).Count(&n).Error
}

func TestStatementsInsideHooksDoNotBlock(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&counter{}, &busyHooks{}); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			if err := db.Create(&busyHooks{N: 1}).Error; err != nil {
				done <- err
				return
			}
			var got []busyHooks
			done <- db.Find(&got).Error
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a statement inside a hook blocked its parent")
		}
		assertIdle(t, db)
	})
}

// TestEndedContextBeforeTheCall: a context that has ended before the call
// fails every kind of call with its own error, whether a
// connection is free or every one is held, and is never a pool timeout.
func TestEndedContextBeforeTheCall(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&counter{}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ended := db.WithContext(ctx)
		calls := map[string]func() error{
			"Exec":  func() error { return ended.Exec("UPDATE counters SET n = 2").Error },
			"Find":  func() error { return ended.Find(&[]counter{}).Error },
			"Row":   func() error { var n int; return ended.Raw("SELECT 1").Row().Scan(&n) },
			"Begin": func() error { return ended.Begin().Error },
		}
		check := func(t *testing.T) {
			for name, call := range calls {
				if err := call(); !errors.Is(err, context.Canceled) || errors.Is(err, database.ErrPoolTimeout) {
					t.Errorf("%s: err = %v, want context.Canceled", name, err)
				}
			}
		}
		t.Run("free connection", check)
		holdOnlyConnection(t, db)
		t.Run("every connection held", check)
	}, testdb.WithConfig(poolOfOne))
}

// TestPoolTimeoutsCounts checks that PoolTimeouts counts each wait that
// ended with ErrPoolTimeout, and nothing else, with and without
// PrepareStmt, and that the health report shows the same number.
func TestPoolTimeoutsCounts(t *testing.T) {
	for _, prepare := range []bool{false, true} {
		t.Run(fmt.Sprintf("PrepareStmt=%v", prepare), func(t *testing.T) {
			testdb.Run(t, func(t *testing.T, db *gorm.DB) {
				if err := db.AutoMigrate(&counter{}); err != nil {
					t.Fatal(err)
				}
				if err := db.Create(&counter{N: 1}).Error; err != nil {
					t.Fatal(err)
				}
				if got := database.PoolTimeouts(db); got != 0 {
					t.Fatalf("PoolTimeouts before any timeout = %d, want 0", got)
				}
				holdOnlyConnection(t, db)
				for range 2 {
					if err := db.Exec("UPDATE counters SET n = 2").Error; !errors.Is(err, database.ErrPoolTimeout) {
						t.Fatalf("err = %v, want ErrPoolTimeout", err)
					}
				}
				if got := database.PoolTimeouts(db); got != 2 {
					t.Errorf("PoolTimeouts = %d, want 2", got)
				}
				r := database.Health(context.Background(), map[string]*gorm.DB{"default": db}, database.WithHealthTimeout(50*time.Millisecond), quietHealth)
				if got := r.Connections["default"].Pool.Timeouts; got != 2 {
					t.Errorf("health report Timeouts = %d, want 2", got)
				}
			}, testdb.WithConfig(func(c *database.Config) {
				poolOfOne(c)
				c.GORM = func(g *gorm.Config) { g.PrepareStmt = prepare }
			}))
		})
	}
}

// TestPoolTimeoutsOutsideOpen: a *gorm.DB whose pool keeps no count
// reports 0.
func TestPoolTimeoutsOutsideOpen(t *testing.T) {
	db := testdb.Open(t, testdb.SQLite, testdb.Plain())
	if got := database.PoolTimeouts(db); got != 0 {
		t.Errorf("PoolTimeouts = %d, want 0", got)
	}
}
