package txctx_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/internal/wire"
	"github.com/gormext/gormext/txctx"
)

// txctx under the GORM configurations a service may use: every behaviour
// of gormconfig_cases_test.go runs on every database × every configuration
// below × both ways of opening (gorm.Open + db.Use(hooks.New()), and
// database.Open with Config.GORM). What was committed is read back with
// plain SQL on the root pool, outside any transaction. Adding a
// configuration is one line here; adding a behaviour is one entry in
// gcCases.

// gcConfig is one GORM configuration.
type gcConfig struct {
	name    string
	gorm    func(*gorm.Config) // config-level settings
	session *gorm.Session      // settings of the session bound with WithDB
	dry     bool               // DryRun in the gorm.Config (database.Open: a session)
}

var gcConfigs = []gcConfig{
	{name: "default"},
	{name: "skip-tx-config", gorm: func(c *gorm.Config) { c.SkipDefaultTransaction = true }},
	{name: "skip-tx-session", session: &gorm.Session{SkipDefaultTransaction: true}},
	{name: "prepare-stmt-config", gorm: func(c *gorm.Config) { c.PrepareStmt = true }},
	{name: "prepare-stmt-session", session: &gorm.Session{PrepareStmt: true}},
	{name: "naming", gorm: func(c *gorm.Config) {
		c.NamingStrategy = schema.NamingStrategy{TablePrefix: "tx_", SingularTable: true}
	}},
	{name: "translate-error-on", gorm: func(c *gorm.Config) { c.TranslateError = true }},
	{name: "translate-error-off", gorm: func(c *gorm.Config) { c.TranslateError = false }},
	{name: "create-batch-size", gorm: func(c *gorm.Config) { c.CreateBatchSize = 2 }},
	{name: "query-fields", gorm: func(c *gorm.Config) { c.QueryFields = true }},
	{name: "skip-tx+prepare-stmt", gorm: func(c *gorm.Config) { c.SkipDefaultTransaction, c.PrepareStmt = true, true }},
	{name: "default-tx-timeout", gorm: func(c *gorm.Config) { c.DefaultTransactionTimeout = time.Minute }},
	{name: "default-context-timeout", gorm: func(c *gorm.Config) { c.DefaultContextTimeout = time.Minute }},
	{name: "dry-run", dry: true},
	{name: "dry-run-session", session: &gorm.Session{DryRun: true}},
}

// dryRun reports whether the db under test runs nothing.
func (c gcConfig) dryRun() bool { return c.dry || c.session != nil && c.session.DryRun }

// gcOpeners are the ways a service gets a *gorm.DB with the plugin.
var gcOpeners = []struct {
	name string
	open func(t *testing.T, kind testdb.Kind, c gcConfig) *gcEnv
}{
	{"gorm", openGCGORM},
	{"database", openGCDatabase},
}

// gcOrder is the entity the cases write.
type gcOrder struct {
	entities.Entity
	Name string
	Qty  int
}

// gcNow is the plugin's clock; gcStored is what it stores.
var (
	gcNow    = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 3*3600))
	gcStored = gcNow.UTC().Truncate(time.Microsecond)
)

// gcEnv is what a case runs with.
type gcEnv struct {
	t    *testing.T
	kind testdb.Kind
	cfg  gcConfig
	db   *gorm.DB       // under test: bound with WithDB, handed to the middleware and txtest
	root *gorm.DB       // the same database on a pool of its own (database.Open: the same pool), without DryRun or session: setup and reading back
	pool *sql.DB        // the pool of db, whose connections in use are counted
	wire *wire.Recorder // what reached the database through db; nil when opened by database.Open
	dry  bool
}

func gcGORMConfig(c gcConfig) gorm.Config {
	cfg := gorm.Config{Logger: logger.Discard}
	if c.gorm != nil {
		c.gorm(&cfg)
	}
	return cfg
}

func openGCGORM(t *testing.T, kind testdb.Kind, c gcConfig) *gcEnv {
	drv, dsn := testdb.Raw(t, kind)
	sqlDB, w := wire.Open(drv, dsn)
	rootDB, _ := wire.Open(drv, dsn) // its traffic is not looked at
	for _, p := range []*sql.DB{sqlDB, rootDB} {
		p.SetMaxIdleConns(4) // an in-memory database lives as long as a connection does
		t.Cleanup(func() { _ = p.Close() })
	}
	cfg := gcGORMConfig(c)
	e := &gcEnv{t: t, kind: kind, cfg: c, pool: sqlDB, wire: w, dry: c.dryRun()}
	e.root = gcGORMOn(t, kind, rootDB, cfg)
	cfg.DryRun = c.dry // the configuration itself, not a session
	e.db = gcGORMOn(t, kind, sqlDB, cfg)
	if c.session != nil {
		e.db = e.db.Session(c.session)
	}
	return e
}

func openGCDatabase(t *testing.T, kind testdb.Kind, c gcConfig) *gcEnv {
	db := testdb.Open(t, kind, testdb.WithConfig(func(dc *database.Config) {
		dc.Hooks = []hooks.Option{hooks.WithClock(func() time.Time { return gcNow })}
		dc.GORM = c.gorm
	}))
	pool, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	e := &gcEnv{t: t, kind: kind, cfg: c, root: db, db: db, pool: pool, dry: c.dryRun()}
	if c.dry {
		e.db = db.Session(&gorm.Session{DryRun: true})
	}
	if c.session != nil {
		e.db = e.db.Session(c.session)
	}
	return e
}

// gcGORMOn opens GORM with cfg on sqlDB and registers the plugin, as a
// user of plain GORM does.
func gcGORMOn(t *testing.T, kind testdb.Kind, sqlDB *sql.DB, cfg gorm.Config) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(testdb.Dialector(kind, sqlDB), &cfg)
	if err != nil {
		t.Fatalf("gorm.Open: %v", err)
	}
	if err := db.Use(hooks.New(hooks.WithClock(func() time.Time { return gcNow }))); err != nil {
		t.Fatalf("db.Use: %v", err)
	}
	return db
}

func TestGORMConfigurations(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		for _, op := range gcOpeners {
			for _, c := range gcConfigs {
				t.Run(fmt.Sprintf("%s/%s/%s", kind, op.name, c.name), func(t *testing.T) {
					e := op.open(t, kind, c)
					if err := e.root.AutoMigrate(&gcOrder{}); err != nil {
						t.Fatal(err)
					}
					for _, tc := range gcCases {
						t.Run(tc.name, func(t *testing.T) {
							e.t = t
							e.run(tc)
						})
					}
				})
			}
		}
	}
}

// gcCase is one behaviour of txctx.
type gcCase struct {
	name string
	// only, when set, names the one database the case applies to.
	only testdb.Kind
	// wet is true for a case that needs statements to run (it is skipped
	// under DryRun).
	wet bool
	// gormTx is true for a case where GORM itself begins a transaction
	// (txtest's test transaction, GORM's default transaction around a
	// write outside Run), whose BEGIN and COMMIT or ROLLBACK GORM sends
	// even under DryRun.
	gormTx bool
	// body runs the behaviour on ctx, bound to e.db, and checks it;
	// label is unique to the case, for the names of its rows.
	body func(e *gcEnv, ctx context.Context, label string)
}

func (e *gcEnv) run(tc gcCase) {
	if tc.only != "" && tc.only != e.kind {
		e.t.Skipf("%s only", tc.only)
	}
	if tc.wet && e.dry {
		e.t.Skip("needs statements to run: not under DryRun")
	}
	mark := e.mark()
	label := strings.ReplaceAll(e.t.Name(), "/", ".") + ":"
	tc.body(e, txctx.WithDB(context.Background(), e.db), label)
	if e.dry {
		e.wantNothingSent(mark, tc.gormTx)
	}
	if n := e.settledInUse(); n != 0 {
		e.t.Errorf("connections in use after the case: %d, want 0", n)
	}
}

// settledInUse is the number of connections of the pool under test in
// use once it has settled (see settleTo).
func (e *gcEnv) settledInUse() int {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := e.pool.Stats().InUse
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(time.Millisecond)
	}
}

func (e *gcEnv) mark() int {
	if e.wire == nil {
		return 0
	}
	return e.wire.Mark()
}

// wantNothingSent checks that nothing reached the database since mark
// (when the traffic is recorded: opened with gorm.Open), but the BEGIN,
// COMMIT and ROLLBACK of GORM's own transactions when gormTx.
func (e *gcEnv) wantNothingSent(mark int, gormTx bool) {
	e.t.Helper()
	if e.wire == nil {
		return
	}
	sent := e.wire.Since(mark)
	if gormTx {
		sent = slices.DeleteFunc(sent, func(s string) bool { return s == "BEGIN" || s == "COMMIT" || s == "ROLLBACK" })
	}
	if len(sent) != 0 {
		e.t.Errorf("DryRun, but sent: %s", strings.Join(sent, "; "))
	}
}

// translates reports whether GORM translates driver errors: on by default
// with database.Open, off with gorm.Open, unless the configuration says.
func (e *gcEnv) translates() bool {
	cfg := gorm.Config{TranslateError: e.wire == nil}
	if e.cfg.gorm != nil {
		e.cfg.gorm(&cfg)
	}
	return cfg.TranslateError
}

// table is gcOrder's table under the configuration's naming strategy.
func (e *gcEnv) table() string {
	st := &gorm.Statement{DB: e.root}
	if err := st.Parse(&gcOrder{}); err != nil {
		e.t.Fatal(err)
	}
	return st.Schema.Table
}

// gcRow is a gcOrder row as stored.
type gcRow struct {
	ID        string
	Name      string
	Qty       int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// stored reads the rows whose name starts with prefix with plain SQL on
// the root pool, outside any transaction, by name.
func (e *gcEnv) stored(prefix string) map[string]gcRow {
	e.t.Helper()
	var rows []gcRow
	q := "SELECT CAST(id AS TEXT) AS id, name, qty, created_at, updated_at FROM " + e.table() + " WHERE name LIKE ?"
	if err := e.root.WithContext(context.Background()).Raw(q, prefix+"%").Scan(&rows).Error; err != nil {
		e.t.Fatalf("read back: %v", err)
	}
	out := make(map[string]gcRow, len(rows))
	for _, r := range rows {
		out[r.Name] = r
	}
	return out
}

// wantStored checks that exactly the rows named want (each prefix plus a
// suffix) are stored, each with its struct's ID and the plugin's
// timestamps; under DryRun, that none is.
func (e *gcEnv) wantStored(prefix string, want ...*gcOrder) {
	e.t.Helper()
	got := e.stored(prefix)
	if e.dry {
		want = nil
	}
	if len(got) != len(want) {
		e.t.Fatalf("stored %d rows %s*, want %d: %v", len(got), prefix, len(want), got)
	}
	for _, o := range want {
		r, ok := got[o.Name]
		switch {
		case !ok:
			e.t.Errorf("row %q not stored", o.Name)
		case o.ID == uuid.Nil || r.ID != o.ID.String():
			e.t.Errorf("row %q stored with ID %s, the struct has %s", o.Name, r.ID, o.ID)
		case !r.CreatedAt.Equal(gcStored) || !r.UpdatedAt.Equal(gcStored):
			e.t.Errorf("row %q stored with timestamps %s, %s; want %s", o.Name, r.CreatedAt, r.UpdatedAt, gcStored)
		}
	}
}

// wantCreated checks the struct after a Create: an ID and the clock's
// timestamps (under DryRun as well: the plugin fills the struct before the
// statement is built).
func wantCreated(t *testing.T, o *gcOrder) {
	t.Helper()
	if o.ID == uuid.Nil || !o.CreatedAt.Equal(gcStored) || !o.UpdatedAt.Equal(gcStored) {
		t.Errorf("after Create: ID %s, timestamps %s, %s; want an ID and %s", o.ID, o.CreatedAt, o.UpdatedAt, gcStored)
	}
}

// create creates an order named name through DB(ctx).
func create(ctx context.Context, name string) (*gcOrder, error) {
	o := &gcOrder{Name: name}
	return o, txctx.DB(ctx).Create(o).Error
}
