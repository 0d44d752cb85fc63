package database

import (
	"context"
	"database/sql"
	"runtime"
	"sync/atomic"
	"unsafe"

	"gorm.io/gorm"
)

// Giving a connection back as soon as GORM is done with it.
//
// The pool runs each statement on a *sql.Conn of its own, and
// sql.Conn.Close blocks until the rows or the transaction started on it
// end. Left to itself the pool therefore closes the Conn on a goroutine
// that waits for them. For GORM's own finishers it does better:
//
//   - Find, First, Count, Pluck, Scan into structs...: GORM closes the rows
//     inside gorm:query. A callback just before it arms a slot in the
//     statement's context, the pool parks the Conn there, and a callback
//     at the end of the chain closes it, at once.
//   - Create, Update, Delete: GORM wraps them in a transaction of its own
//     (gorm:begin_transaction ... gorm:commit_or_rollback_transaction). The
//     slot is armed first in the chain, takes the Conn of that BeginTx, and
//     is closed at the end of the chain, after the commit or rollback.
//   - Create, Update, Delete without that transaction
//     (SkipDefaultTransaction in gorm.Config or in a session): GORM's
//     begin and commit callbacks are then out of the chain or do nothing.
//     The slot is armed just before gorm:create (gorm:update, gorm:delete),
//     takes the Conn of the statement's own query (INSERT ... RETURNING),
//     whose rows GORM closes inside that callback, and is sealed right
//     after it.
//
// Every callback is placed relative to callbacks that are always in the
// chain ("*", or GORM's callbacks that run whatever the configuration):
// gorm:begin_transaction is no anchor, since GORM leaves it out of the
// chain when default transactions are off in gorm.Config.
//
// Row and Rows hand their rows to the caller, and transactions begun with
// db.Begin or db.Transaction are the caller's to end: those keep the
// goroutine.

// slotKey is the context key of a releaseSlot.
type slotKey struct{}

// releaseSlot is armed for one statement. Only the call it was armed for
// may park a connection in it: the query of a Find, First, Count and so on,
// or the BeginTx of the transaction GORM wraps around a Create, Update or
// Delete. Anything else (a hook or plugin running its own statements with
// the same context) keeps the goroutine, so that finishRelease never waits
// for rows or a transaction it does not know.
//
// A slot belongs to the statement that armed it: statements nested in its
// callbacks (associations saved by a Create, a hook's own queries) inherit
// its context but neither seal nor release it. The owner is kept as an
// address, not a pointer, so that the slot does not keep the statement
// alive (see the cleanup in arm).
type releaseSlot struct {
	self   context.Context // the context carrying this slot
	parent context.Context // the statement's context before arming
	owner  uintptr         // the *gorm.Statement that armed the slot
	kind   claimKind
	conn   atomic.Pointer[sql.Conn]
}

// claimKind says which pool call may fill a slot.
type claimKind uint8

const (
	claimQuery claimKind = iota + 1 // pool.QueryContext
	claimTx                         // pool.BeginTx
)

// sealed fills a slot that must take no connection any more.
var sealed = new(sql.Conn)

// claim parks c in the slot armed for exactly ctx and this kind of call;
// false when there is none, or it is taken or sealed.
func claim(ctx context.Context, c *sql.Conn, kind claimKind) bool {
	s := slotOf(ctx)
	return s != nil && s.kind == kind && s.conn.CompareAndSwap(nil, c)
}

func armQuery(db *gorm.DB) { arm(db, claimQuery) }

// armWrite arms a write's slot for the BeginTx of GORM's default
// transaction, when there is to be one.
func armWrite(db *gorm.DB) {
	if !db.SkipDefaultTransaction {
		arm(db, claimTx)
	}
}

// armStatement arms a write's slot for the statement's own query, when
// GORM runs the write without a transaction of its own.
func armStatement(db *gorm.DB) {
	if db.SkipDefaultTransaction && db.Error == nil {
		arm(db, claimQuery)
	}
}

// arm runs just before gorm:query, or before GORM begins the transaction of
// a write. Outside a transaction of the caller's, it arms a slot.
func arm(db *gorm.DB, kind claimKind) {
	if _, ok := db.Statement.ConnPool.(*pool); !ok || db.Statement.Context == nil {
		return
	}
	s := &releaseSlot{parent: db.Statement.Context, owner: addr(db.Statement), kind: kind}
	s.self = context.WithValue(s.parent, slotKey{}, s)
	db.Statement.Context = s.self
	// Should finishRelease never run (a panic in a callback), the
	// connection goes back to the pool once the statement is garbage.
	runtime.AddCleanup(db.Statement, releaseAbandoned, s)
}

// seal closes a write's slot once GORM's transaction has begun (or was
// skipped): later BeginTx calls with the same context are not GORM's.
func seal(db *gorm.DB) {
	if s := armedSlot(db); s != nil {
		s.conn.CompareAndSwap(nil, sealed)
	}
}

// armedSlot returns the slot db's statement armed, or nil.
func armedSlot(db *gorm.DB) *releaseSlot {
	if s := slotOf(db.Statement.Context); s != nil && s.owner == addr(db.Statement) {
		return s
	}
	return nil
}

// slotOf returns the slot armed with exactly ctx, or nil.
func slotOf(ctx context.Context) *releaseSlot {
	if ctx == nil {
		return nil
	}
	s, ok := ctx.Value(slotKey{}).(*releaseSlot)
	if !ok || s == nil || s.self != ctx {
		return nil
	}
	return s
}

func addr(st *gorm.Statement) uintptr { return uintptr(unsafe.Pointer(st)) }

func releaseAbandoned(s *releaseSlot) {
	if c := s.conn.Swap(nil); c != nil && c != sealed {
		go c.Close() // waits for a transaction left open, if any
	}
}

// disarmRelease hides an enclosing statement's slot from Row and Rows,
// whose rows outlive their callback.
func disarmRelease(db *gorm.DB) {
	if slotOf(db.Statement.Context) != nil {
		db.Statement.Context = context.WithValue(db.Statement.Context, slotKey{}, (*releaseSlot)(nil))
	}
}

// finishRelease runs once GORM has closed the rows and ended its
// transaction: the connection goes back to the pool at once.
func finishRelease(db *gorm.DB) {
	s := armedSlot(db)
	if s == nil {
		return
	}
	db.Statement.Context = s.parent
	if c := s.conn.Swap(nil); c != nil && c != sealed {
		_ = c.Close() // rows closed, transaction ended: returns at once
	}
}

// registerRelease installs the callbacks: around gorm:query for queries,
// and for creates, updates and deletes around GORM's own transaction (which
// encloses the statement and any RETURNING rows) or, without one, around
// the statement itself. A slot is sealed right after the call it was armed
// for (GORM's After appends at the end of the chain, so seals are placed
// with Before the callback that follows).
func registerRelease(db *gorm.DB) error {
	cb := db.Callback()
	const (
		armName, sealName, releaseName = "gormext:database:arm_release", "gormext:database:seal_release", "gormext:database:release"
		armStmtName, sealStmtName      = "gormext:database:arm_release_statement", "gormext:database:seal_release_statement"
	)
	regs := []func() error{
		func() error { return cb.Query().Before("gorm:query").Register(armName, armQuery) },
		func() error { return cb.Query().Before("gorm:preload").Register(sealName, seal) },
		func() error { return cb.Query().After("gorm:after_query").Register(releaseName, finishRelease) },
		func() error {
			return cb.Row().Before("gorm:row").Register("gormext:database:disarm_release", disarmRelease)
		},
	}
	for _, w := range []struct {
		before, after         func(string) registerer
		next, stmt, afterStmt string
	}{
		{
			before: func(n string) registerer { return cb.Create().Before(n) }, after: func(n string) registerer { return cb.Create().After(n) },
			next: "gorm:before_create", stmt: "gorm:create", afterStmt: "gorm:save_after_associations",
		},
		{
			before: func(n string) registerer { return cb.Update().Before(n) }, after: func(n string) registerer { return cb.Update().After(n) },
			next: "gorm:setup_reflect_value", stmt: "gorm:update", afterStmt: "gorm:save_after_associations",
		},
		{
			before: func(n string) registerer { return cb.Delete().Before(n) }, after: func(n string) registerer { return cb.Delete().After(n) },
			next: "gorm:before_delete", stmt: "gorm:delete", afterStmt: "gorm:after_delete",
		},
	} {
		regs = append(regs,
			func() error { return w.before("*").Register(armName, armWrite) },
			func() error { return w.before(w.next).Register(sealName, seal) },
			func() error { return w.before(w.stmt).Register(armStmtName, armStatement) },
			func() error { return w.before(w.afterStmt).Register(sealStmtName, seal) },
			func() error { return w.after("*").Register(releaseName, finishRelease) },
		)
	}
	for _, reg := range regs {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}

// registerer is what GORM's Before and After return.
type registerer interface {
	Register(name string, fn func(*gorm.DB)) error
}
