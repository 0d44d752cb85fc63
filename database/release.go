package database

import (
	"context"
	"database/sql"
	"runtime"
	"sync/atomic"

	"gorm.io/gorm"
)

// Giving a connection back as soon as GORM is done with it.
//
// The pool runs a query on a *sql.Conn of its own, and sql.Conn.Close
// blocks until the query's rows are closed. Left to itself the pool closes
// the Conn on a goroutine that waits for the rows. For GORM's own finishers
// (Find, First, Create ... RETURNING and the like) it can do better: GORM
// closes the rows inside its gorm:query (gorm:create, ...) callback, so a
// callback registered just before it arms a slot in the statement's
// context, the pool parks the Conn there instead of starting a goroutine,
// and a callback registered just after closes it, synchronously and without
// waiting. Row and Rows hand their rows to the caller and keep the
// goroutine.

// slotKey is the context key of a releaseSlot.
type slotKey struct{}

// releaseSlot is armed for one statement.
type releaseSlot struct {
	self   context.Context // the context carrying this slot
	parent context.Context // the statement's context before arming
	conn   atomic.Pointer[sql.Conn]
}

// claim parks c in the slot armed for exactly ctx; false when there is none
// or it is taken.
func claim(ctx context.Context, c *sql.Conn) bool {
	s, ok := ctx.Value(slotKey{}).(*releaseSlot)
	if !ok || s == nil || s.self != ctx {
		return false
	}
	return s.conn.CompareAndSwap(nil, c)
}

// armRelease runs before GORM begins the statement's transaction or runs
// its query. Outside a transaction of the caller's, it arms a slot.
func armRelease(db *gorm.DB) {
	if _, ok := db.Statement.ConnPool.(*pool); !ok || db.Statement.Context == nil {
		return
	}
	s := &releaseSlot{parent: db.Statement.Context}
	s.self = context.WithValue(s.parent, slotKey{}, s)
	db.Statement.Context = s.self
	// Should finishRelease never run (a panic in a callback), the
	// connection goes back to the pool once the statement is garbage.
	runtime.AddCleanup(db.Statement, releaseAbandoned, s)
}

func releaseAbandoned(s *releaseSlot) {
	if c := s.conn.Swap(nil); c != nil {
		go releaseLater(c) // waits for a transaction left open, if any
	}
}

// disarmRelease hides an enclosing statement's slot from Row and Rows,
// whose rows outlive their callback.
func disarmRelease(db *gorm.DB) {
	ctx := db.Statement.Context
	if ctx == nil {
		return
	}
	if s, ok := ctx.Value(slotKey{}).(*releaseSlot); ok && s != nil {
		db.Statement.Context = context.WithValue(ctx, slotKey{}, (*releaseSlot)(nil))
	}
}

// finishRelease runs once GORM has closed the rows and ended its
// transaction: the connection goes back to the pool at once.
func finishRelease(db *gorm.DB) {
	ctx := db.Statement.Context
	if ctx == nil {
		return
	}
	s, ok := ctx.Value(slotKey{}).(*releaseSlot)
	if !ok || s == nil || s.self != ctx {
		return
	}
	db.Statement.Context = s.parent
	if c := s.conn.Swap(nil); c != nil {
		_ = c.Close() // rows closed, transaction ended: returns at once
	}
}

// registerRelease installs the arm and release callbacks: around gorm:query
// for queries, and around GORM's own transaction (which encloses the
// statement and any RETURNING rows) for creates, updates and deletes.
func registerRelease(db *gorm.DB) error {
	cb := db.Callback()
	const arm, release = "gormext:database:arm_release", "gormext:database:release"
	regs := []func() error{
		func() error { return cb.Query().Before("gorm:query").Register(arm, armRelease) },
		func() error { return cb.Query().After("gorm:query").Register(release, finishRelease) },
		func() error {
			return cb.Row().Before("gorm:row").Register("gormext:database:disarm_release", disarmRelease)
		},
	}
	regs = append(regs,
		func() error {
			return cb.Create().Before("gorm:begin_transaction").Register(arm, armRelease)
		},
		func() error {
			return cb.Create().After("gorm:commit_or_rollback_transaction").Register(release, finishRelease)
		},
		func() error {
			return cb.Update().Before("gorm:begin_transaction").Register(arm, armRelease)
		},
		func() error {
			return cb.Update().After("gorm:commit_or_rollback_transaction").Register(release, finishRelease)
		},
		func() error {
			return cb.Delete().Before("gorm:begin_transaction").Register(arm, armRelease)
		},
		func() error {
			return cb.Delete().After("gorm:commit_or_rollback_transaction").Register(release, finishRelease)
		},
	)
	for _, reg := range regs {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}
