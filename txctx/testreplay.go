package txctx

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"weak"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Under a test binding whose RunNew runs in the test's own transaction
// (WithNamedTestTx with begin nil: SQLite), a RunNew is a savepoint, and
// the rollback of a savepoint around it would undo it although it stands
// for a transaction that committed. So the write statements that a RunNew
// sends are recorded (final SQL and arguments, as GORM sent them), and
// when a savepoint rolls back, those of the RunNews that committed inside
// it are executed again right after the ROLLBACK TO SAVEPOINT, in the
// order they first ran. A released savepoint hands its records to its
// parent; the test's own transaction drops them (its rollback at cleanup
// undoes everything). Outside such a binding none of this runs: the
// callbacks are registered by WithNamedTestTx only, and return at once
// when the statement's context carries no test RunNew.

// ErrTestReplay is joined to the error of a Run under a test binding
// (package txtest) on SQLite when the writes of a RunNew that committed
// inside it could not be executed again after the Run rolled back: a
// replayed statement failed, typically because it depends on something
// the rolled-back Run wrote (a row it refers to, a table it created). In
// production that RunNew would not have seen those uncommitted writes
// either: make the RunNew independent of the enclosing Run's work.
var ErrTestReplay = errors.New("txctx: test: replaying the writes of a RunNew after the enclosing Run rolled back failed")

// testReplay is what a frame of a test binding holds for the replay.
type testReplay struct {
	runNew bool        // the frame is a RunNew's
	writes []testWrite // recorded in the frame, or handed over by its children
}

// testWrite is one recorded write statement.
type testWrite struct {
	sql       string
	vars      []any
	committed bool // its RunNew (or one inside it) committed: it outlives a rollback
}

// replayKey marks the context of a RunNew under a test binding.
type replayKey struct{}

const recordCallback = "txctx:test_record"

// replayRegistered holds, by weak pointer, the callback sets that have
// the recording callbacks (as registered does for the lock callbacks).
var replayRegistered sync.Map

// registerReplay adds the recording callbacks to db's chains, once per
// root *gorm.DB, right after the statement of each processor that can
// write.
func registerReplay(db *gorm.DB) {
	cb := db.Callback()
	key := weak.Make(cb)
	if _, loaded := replayRegistered.LoadOrStore(key, true); loaded {
		return
	}
	runtime.AddCleanup(cb, func(k any) { replayRegistered.Delete(k) }, any(key))
	_ = cb.Create().After("gorm:create").Before("gorm:save_after_associations").Register(recordCallback, recordCreate)
	_ = cb.Update().After("gorm:update").Before("gorm:save_after_associations").Register(recordCallback, recordWrite)
	_ = cb.Delete().After("gorm:delete").Register(recordCallback, recordWrite)
	_ = cb.Raw().After("gorm:raw").Register(recordCallback, recordWrite)
	_ = cb.Row().After("gorm:row").Register(recordCallback, recordReturning)
	_ = cb.Query().After("gorm:query").Register(recordCallback, recordReturning)
}

// runNewReplayed runs fn as a RunNew whose writes are recorded: fn's
// frame is marked, and its context carries the flag the callbacks check.
func runNewReplayed(ctx context.Context, s *scope, fn func(context.Context) error, c *config) error {
	return runNested(ctx, s, func(ctx context.Context) error {
		f := lookup(ctx, s.name).frame
		f.tx.mu.Lock()
		f.replay.runNew = true
		f.tx.mu.Unlock()
		return fn(context.WithValue(ctx, replayKey{}, true))
	}, c, true)
}

func recordWrite(db *gorm.DB) { record(db, false, false) }

func recordCreate(db *gorm.DB) { record(db, true, false) }

// recordReturning records a Raw write run as a query (INSERT ... RETURNING
// read with Scan, Row or Find); reads are not recorded.
func recordReturning(db *gorm.DB) { record(db, false, true) }

func record(db *gorm.DB, create, onlyWrites bool) {
	ctx := db.Statement.Context
	if ctx == nil || ctx.Value(replayKey{}) == nil || db.Error != nil || db.DryRun {
		return
	}
	query := db.Statement.SQL.String()
	if query == "" || (onlyWrites && !isWrite(query)) {
		return
	}
	f := frameOf(ctx, db.Statement.ConnPool)
	if f == nil {
		return
	}
	w := testWrite{sql: query, vars: snapshot(db.Statement.Vars)}
	if create {
		if q, vars, ok := pinnedInsert(db); ok {
			w.sql, w.vars = q, snapshot(vars)
		}
	}
	t := f.tx
	t.mu.Lock()
	defer t.mu.Unlock()
	if f.insideRunNew() {
		f.replay.writes = append(f.replay.writes, w)
	}
}

// isWrite reports whether a query run as a read is in fact a write.
func isWrite(query string) bool {
	word, _, _ := strings.Cut(strings.TrimLeft(query, " \t\r\n("), " ")
	switch strings.ToUpper(word) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH":
		return true
	}
	return false
}

// insideRunNew reports whether f is a RunNew's frame or inside one. The
// caller holds f.tx.mu.
func (f *frame) insideRunNew() bool {
	for ; f != nil; f = f.parent {
		if f.replay.runNew {
			return true
		}
	}
	return false
}

// snapshot copies a statement's arguments as the driver would receive
// them, so that a later change to the caller's structs (a pointer field, a
// reused byte slice) does not change the replay.
func snapshot(vars []any) []any {
	out := make([]any, len(vars))
	for i, v := range vars {
		if dv, err := driver.DefaultParameterConverter.ConvertValue(v); err == nil {
			v = dv
		}
		if b, ok := v.([]byte); ok {
			v = slices.Clone(b)
		}
		out[i] = v
	}
	return out
}

// pinnedInsert rebuilds the INSERT of a create statement with the key that
// the database gave each row, so that its replay gives them the same keys
// (the rolled-back rows of the enclosing Run no longer take the lower
// ones). Upserts (ON CONFLICT) and creates from maps are left as sent.
func pinnedInsert(db *gorm.DB) (string, []any, bool) {
	stmt := db.Statement
	pk := autoIncrementKey(stmt)
	values, ok := stmt.Clauses["VALUES"].Expression.(clause.Values)
	if pk == nil || !ok {
		return "", nil, false
	}
	if _, upsert := stmt.Clauses["ON CONFLICT"]; upsert {
		return "", nil, false
	}
	rows := createdRows(stmt.ReflectValue)
	if len(rows) != len(values.Values) {
		return "", nil, false
	}
	values = withKeys(stmt.Context, values, pk, rows)
	clauses := maps.Clone(stmt.Clauses)
	c := clauses["VALUES"]
	c.Expression = values
	clauses["VALUES"] = c
	rebuilt := &gorm.Statement{DB: db, ConnPool: stmt.ConnPool, Context: stmt.Context, Table: stmt.Table,
		TableExpr: stmt.TableExpr, Schema: stmt.Schema, Clauses: clauses}
	rebuilt.Build(stmt.BuildClauses...)
	return rebuilt.SQL.String(), rebuilt.Vars, true
}

func autoIncrementKey(stmt *gorm.Statement) *schema.Field {
	if stmt.Schema == nil || stmt.Schema.PrioritizedPrimaryField == nil || !stmt.Schema.PrioritizedPrimaryField.AutoIncrement {
		return nil
	}
	return stmt.Schema.PrioritizedPrimaryField
}

// createdRows are the structs a create statement wrote, one per VALUES
// row; nil for anything else (a map).
func createdRows(v reflect.Value) []reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		return []reflect.Value{v}
	case reflect.Slice, reflect.Array:
		rows := make([]reflect.Value, v.Len())
		for i := range rows {
			rows[i] = reflect.Indirect(v.Index(i))
			if rows[i].Kind() != reflect.Struct {
				return nil
			}
		}
		return rows
	}
	return nil
}

// withKeys returns values with the key column set, in each row that let
// the database choose it, to the key the row got.
func withKeys(ctx context.Context, values clause.Values, pk *schema.Field, rows []reflect.Value) clause.Values {
	col := slices.IndexFunc(values.Columns, func(c clause.Column) bool { return c.Name == pk.DBName })
	out := clause.Values{Columns: values.Columns, Values: make([][]any, len(values.Values))}
	if col < 0 {
		col = 0
		out.Columns = slices.Insert(slices.Clone(values.Columns), 0, clause.Column{Name: pk.DBName})
	}
	for i, row := range values.Values {
		if len(out.Columns) > len(row) {
			row = slices.Insert(slices.Clone(row), 0, nil)
		} else {
			row = slices.Clone(row)
		}
		if key, zero := pk.ValueOf(ctx, rows[i]); row[col] == nil && !zero {
			row[col] = key
		}
		out.Values[i] = row
	}
	return out
}

// handOverWrites passes the records of f, which ends, to its parent:
// released, all of them (a RunNew's become committed); rolled back, only
// those that outlive the rollback (replayWrites sent them again). The
// test's own transaction drops them. The caller holds t.mu.
func (t *txn) handOverWrites(f *frame, released bool) {
	w := f.replay.writes
	if len(w) == 0 {
		return
	}
	f.replay.writes = nil
	if released && f.replay.runNew {
		for i := range w {
			w[i].committed = true
		}
	}
	if !released {
		w = slices.DeleteFunc(w, func(w testWrite) bool { return !w.committed })
	}
	if f.parent != &t.root {
		f.parent.replay.writes = append(f.parent.replay.writes, w...)
	}
}

// replayWrites executes again, right after f's savepoint rolled back, the
// writes of the RunNews that committed inside it, in their order.
func (t *txn) replayWrites(ctx context.Context, f *frame) error {
	if t.test == nil {
		return nil // not a test binding: nothing was recorded
	}
	t.mu.Lock()
	w := slices.DeleteFunc(f.replay.writes, func(w testWrite) bool { return !w.committed })
	f.replay.writes = nil
	t.mu.Unlock()
	if len(w) == 0 {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RollbackTimeout)
	defer cancel()
	if err := t.acquire(rctx); err != nil {
		return fmt.Errorf("%w: %w", ErrTestReplay, err)
	}
	defer t.releaseSem()
	for i, s := range w {
		if _, err := t.pool.ExecContext(rctx, s.sql, s.vars...); err != nil {
			return fmt.Errorf("%w: statement %d of %d, %s: %w", ErrTestReplay, i+1, len(w), s.sql, err)
		}
	}
	t.mu.Lock()
	f.replay.writes = w
	t.mu.Unlock()
	return nil
}
