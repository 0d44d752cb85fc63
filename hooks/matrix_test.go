package hooks_test

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/internal/wire"
)

// The configuration matrix: every case of matrix_cases_test.go runs on
// every database × every GORM configuration below × both ways of opening
// (gorm.Open + db.Use, and database.Open). Adding a configuration is one
// line here; adding a call path is one entry in mxCases.

// mxConfig is one GORM configuration a service may use.
type mxConfig struct {
	name    string
	gorm    func(*gorm.Config) // config-level settings
	session *gorm.Session      // session-level settings of the db under test
	dry     bool               // DryRun: no SQL sent, nothing changed
}

var mxConfigs = []mxConfig{
	{name: "default"},
	{name: "skip-tx-config", gorm: func(c *gorm.Config) { c.SkipDefaultTransaction = true }},
	{name: "skip-tx-session", session: &gorm.Session{SkipDefaultTransaction: true}},
	{name: "prepare-stmt", gorm: func(c *gorm.Config) { c.PrepareStmt = true }},
	{name: "create-batch-size", gorm: func(c *gorm.Config) { c.CreateBatchSize = 2 }},
	{name: "naming", gorm: func(c *gorm.Config) {
		c.NamingStrategy = schema.NamingStrategy{TablePrefix: "mx_", SingularTable: true}
	}},
	{name: "dry-run", dry: true},
	{name: "translate-error-on", gorm: func(c *gorm.Config) { c.TranslateError = true }},
	{name: "translate-error-off", gorm: func(c *gorm.Config) { c.TranslateError = false }},
}

// mxOpeners are the ways a user gets a *gorm.DB with the plugin.
var mxOpeners = []struct {
	name string
	open func(t *testing.T, kind testdb.Kind, c mxConfig, clk *clock) *mxEnv
}{
	{"gorm", openMxGORM},
	{"database", openMxDatabase},
}

// mxEnv is what a case runs with.
type mxEnv struct {
	t     *testing.T
	kind  testdb.Kind
	db    *gorm.DB       // the db under test, with the configuration applied
	setup *gorm.DB       // the same configuration without DryRun, for setting up and reading back
	wire  *wire.Recorder // what reached the database; nil when opened by database.Open
	clock *clock
	dry   bool
	// skipTx is true when GORM wraps no transaction around a write.
	skipTx bool
}

func gormConfig(c mxConfig) gorm.Config {
	var cfg gorm.Config
	if c.gorm != nil {
		c.gorm(&cfg)
	}
	return cfg
}

func openMxGORM(t *testing.T, kind testdb.Kind, c mxConfig, clk *clock) *mxEnv {
	sqlDB, w := openWireDB(t, kind)
	cfg := gormConfig(c)
	e := &mxEnv{t: t, kind: kind, wire: w, clock: clk, dry: c.dry}
	e.setup = gormOn(t, kind, sqlDB, cfg, hooks.WithClock(clk.Now))
	e.db = e.setup
	if c.dry {
		cfg.DryRun = true // the configuration itself, not a session
		e.db = gormOn(t, kind, sqlDB, cfg, hooks.WithClock(clk.Now))
	}
	if c.session != nil {
		e.db = e.db.Session(c.session)
	}
	return e
}

func openMxDatabase(t *testing.T, kind testdb.Kind, c mxConfig, clk *clock) *mxEnv {
	db := testdb.Open(t, kind, testdb.WithConfig(func(dc *database.Config) {
		dc.Hooks = []hooks.Option{hooks.WithClock(clk.Now)}
		dc.GORM = c.gorm
	}))
	e := &mxEnv{t: t, kind: kind, setup: db, db: db, clock: clk, dry: c.dry}
	if c.dry {
		e.db = db.Session(&gorm.Session{DryRun: true})
	}
	if c.session != nil {
		e.db = e.db.Session(c.session)
	}
	return e
}

func TestMatrix(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		for _, op := range mxOpeners {
			for _, c := range mxConfigs {
				t.Run(fmt.Sprintf("%s/%s/%s", kind, op.name, c.name), func(t *testing.T) {
					clk := newClock()
					e := op.open(t, kind, c, clk)
					e.skipTx = gormConfig(c).SkipDefaultTransaction || c.session != nil && c.session.SkipDefaultTransaction
					if err := e.setup.AutoMigrate(mxModels...); err != nil {
						t.Fatal(err)
					}
					for _, tc := range mxCases {
						t.Run(tc.name, func(t *testing.T) {
							e.t = t
							e.runCase(tc)
						})
					}
				})
			}
		}
	}
}

// mxCase is one call path of one behaviour.
type mxCase struct {
	name string
	// setup writes the rows the call works on (with e.setup) and returns
	// what act and check need.
	setup func(e *mxEnv) any
	// act is the call under test, on tx.
	act func(e *mxEnv, tx *gorm.DB, s any) error
	// refuse is the sentinel of a call refused before any SQL: nothing may
	// reach the database, not even BEGIN, and nothing may change.
	refuse error
	// batches is true for a create GORM may split into batches: it wraps
	// them in a transaction of its own before any callback runs, so BEGIN
	// and ROLLBACK may be sent, but no statement.
	batches bool
	// check verifies the outcome (err included) by reading the stored rows
	// back with plain SQL; not run under DryRun.
	check func(e *mxEnv, s any, err error)
	// dryErr is the error the call returns under DryRun, if not nil.
	dryErr error
}

func (e *mxEnv) runCase(tc mxCase) {
	t := e.t
	var s any
	if tc.setup != nil {
		s = tc.setup(e)
	}
	e.clock.Advance(time.Second)
	before := ""
	if tc.refuse != nil || e.dry {
		before = e.dump()
	}
	mark := e.mark()
	err := tc.act(e, e.db, s)
	switch {
	case tc.refuse != nil:
		if !errors.Is(err, tc.refuse) {
			t.Fatalf("err = %v, want %v", err, tc.refuse)
		}
		sent := e.since(mark)
		if tc.batches {
			sent = wire.Data(sent)
		}
		if len(sent) != 0 {
			t.Fatalf("refused, but sent: %s", strings.Join(sent, "; "))
		}
		if after := e.dump(); after != before {
			t.Fatalf("refused, but the rows changed:\n%s\nwere:\n%s", after, before)
		}
	case e.dry:
		if err != nil && (tc.dryErr == nil || !errors.Is(err, tc.dryErr)) {
			t.Fatalf("DryRun: err = %v", err)
		}
		if sent := wire.Data(e.since(mark)); len(sent) != 0 {
			t.Fatalf("DryRun sent: %s", strings.Join(sent, "; "))
		}
		if after := e.dump(); after != before {
			t.Fatalf("DryRun changed the rows:\n%s\nwere:\n%s", after, before)
		}
	default:
		tc.check(e, s, err)
	}
}

func (e *mxEnv) mark() int {
	if e.wire == nil {
		return 0
	}
	return e.wire.Mark()
}

func (e *mxEnv) since(mark int) []string {
	if e.wire == nil {
		return nil
	}
	return e.wire.Since(mark)
}

// table is the table of model under the configuration's naming strategy.
func (e *mxEnv) table(model any) string {
	st := &gorm.Statement{DB: e.setup}
	if err := st.Parse(model); err != nil {
		e.t.Fatal(err)
	}
	return st.Schema.Table
}

// joinTable is the join table of a many2many field of model.
func (e *mxEnv) joinTable(model any, field string) string {
	st := &gorm.Statement{DB: e.setup}
	if err := st.Parse(model); err != nil {
		e.t.Fatal(err)
	}
	return st.Schema.Relationships.Relations[field].JoinTable.Table
}

// dump renders every row of every matrix table, to compare before and after.
func (e *mxEnv) dump() string {
	var b strings.Builder
	tables := []string{e.joinTable(&MxOwner{}, "Tags")}
	for _, m := range mxModels {
		tables = append(tables, e.table(m))
	}
	for _, tbl := range tables {
		rows, err := e.sqlDB().Query("SELECT * FROM " + tbl)
		if err != nil {
			e.t.Fatal(err)
		}
		var lines []string
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatal(err)
			}
			lines = append(lines, fmt.Sprint(vals...))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s: %s\n", tbl, strings.Join(lines, " | "))
	}
	return b.String()
}

func (e *mxEnv) sqlDB() *sql.DB {
	db, err := e.setup.DB()
	if err != nil {
		e.t.Fatal(err)
	}
	return db
}

// mxStored is an entity row as stored, read with plain SQL.
type mxStored struct {
	ID        string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
	Name      string
	Qty       int
	Deleted   bool
	Found     bool
}

// item reads the MxItem row id with plain SQL.
func (e *mxEnv) item(id uuid.UUID) mxStored {
	return e.read(fmt.Sprintf("SELECT CAST(id AS TEXT), created_at, updated_at, version, name, qty, deleted_at IS NOT NULL FROM %s WHERE id = $1", e.table(&MxItem{})), id)
}

// itemNamed reads the MxItem row called name with plain SQL.
func (e *mxEnv) itemNamed(name string) mxStored {
	return e.read(fmt.Sprintf("SELECT CAST(id AS TEXT), created_at, updated_at, version, name, qty, deleted_at IS NOT NULL FROM %s WHERE name = $1", e.table(&MxItem{})), name)
}

func (e *mxEnv) read(q string, arg any) mxStored {
	e.t.Helper()
	if e.kind == testdb.SQLite {
		q = strings.ReplaceAll(q, "$1", "?")
	}
	var r mxStored
	err := e.sqlDB().QueryRow(q, arg).Scan(&r.ID, &r.CreatedAt, &r.UpdatedAt, &r.Version, &r.Name, &r.Qty, &r.Deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return r
	}
	if err != nil {
		e.t.Fatal(err)
	}
	r.Found = true
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r
}

// count counts the rows of table where cond holds (plain SQL).
func (e *mxEnv) count(table, cond string, args ...any) int {
	e.t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	if cond != "" {
		q += " WHERE " + cond
	}
	if e.kind == testdb.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	var n int
	if err := e.sqlDB().QueryRow(q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// wantNew checks the stored row of a newly created item: its ID is the
// struct's, both timestamps are the clock's, the version is 1.
func (e *mxEnv) wantNew(r mxStored, id uuid.UUID) {
	e.t.Helper()
	now := e.clock.stored()
	if !r.Found || id == uuid.Nil || r.ID != id.String() || !r.CreatedAt.Equal(now) || !r.UpdatedAt.Equal(now) || r.Version != 1 {
		e.t.Fatalf("stored %+v for struct ID %s; want that ID, created_at = updated_at = %v, version 1", r, id, now)
	}
}

// wantUpdated checks an updated item: created_at kept, updated_at the
// clock's (or kept, when touched is false), version incremented.
func (e *mxEnv) wantUpdated(r mxStored, was MxItem, touched bool, name string) {
	e.t.Helper()
	updated := was.UpdatedAt
	if touched {
		updated = e.clock.stored()
	}
	if !r.Found || !r.CreatedAt.Equal(was.CreatedAt) || !r.UpdatedAt.Equal(updated) || r.Version != was.Version+1 || r.Name != name {
		e.t.Fatalf("stored %+v; want created_at %v, updated_at %v, version %d, name %q",
			r, was.CreatedAt, updated, was.Version+1, name)
	}
}

func noErr(e *mxEnv, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}
