package hooks_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
)

// gormPreparedStmtCache is the goroutine GORM (v1.31) starts for the
// statement cache of every PrepareStmt connection and never stops.
const gormPreparedStmtCache = "gorm.io/gorm/internal/lru.NewLRU[...].func1"

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction(gormPreparedStmtCache))
}

// Article is the common case: Entity plus validated fields.
type Article struct {
	entities.Entity
	Title string `validate:"required,max=200"`
	Body  string `validate:"max=10000"`
	Email string `validate:"omitempty,email"`
}

// Hooked embeds the two bases separately and defines its own BeforeCreate,
// so GORM runs neither embedded hook method: the plugin must still work.
type Hooked struct {
	entities.IdentifiableEntity
	entities.DatedEntity
	Name string
}

func (h *Hooked) BeforeCreate(*gorm.DB) error {
	h.Name += "+hook"
	return nil
}

// AuditLog is immutable.
type AuditLog struct {
	entities.ImmutableEntity
	Action string
}

// Doc is versioned.
type Doc struct {
	entities.Entity
	entities.VersionedEntity
	Title string `validate:"required"`
}

// Note is soft-deletable.
type Note struct {
	entities.Entity
	entities.SoftDeletableEntity
	Text string
}

// clock is an injectable clock the tests advance by hand.
type clock struct{ now atomic.Int64 }

// t0 has nanoseconds and a non-UTC zone, to prove normalisation.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 3*3600))

func newClock() *clock {
	c := &clock{}
	c.now.Store(t0.UnixNano())
	return c
}

func (c *clock) Now() time.Time { return time.Unix(0, c.now.Load()).In(t0.Location()) }

func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }

// stored is what the plugin stores for the clock's current time.
func (c *clock) stored() time.Time { return c.Now().UTC().Truncate(time.Microsecond) }

// open runs body on every database with the plugin built from opts and a
// migrated schema for models.
func run(t *testing.T, opts []hooks.Option, models []any, body func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(models...); err != nil {
			t.Fatal(err)
		}
		body(t, db)
	}, testdb.WithConfig(func(c *database.Config) { c.Hooks = opts }))
}

// recorder is a connection pool that records every statement and BEGIN
// sent through it, to prove that a refused statement sends nothing.
type recorder struct {
	gorm.ConnPool
	mu   sync.Mutex
	sent []string
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, s)
}

func (r *recorder) Sent() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

func (r *recorder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r.note(q)
	return r.ConnPool.ExecContext(ctx, q, args...)
}

func (r *recorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.note(q)
	return r.ConnPool.QueryContext(ctx, q, args...)
}

func (r *recorder) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	r.note(q)
	return r.ConnPool.QueryRowContext(ctx, q, args...)
}

func (r *recorder) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	r.note("BEGIN")
	return r.ConnPool.(gorm.TxBeginner).BeginTx(ctx, opts)
}

// recording returns a session of db whose statements go through a recorder.
func recording(db *gorm.DB) (*gorm.DB, *recorder) {
	rec := &recorder{ConnPool: db.Statement.ConnPool}
	tx := db.Session(&gorm.Session{NewDB: true, Context: context.Background()})
	tx.Statement.ConnPool = rec
	return tx, rec
}

// assertNothingSent fails when the recorder saw any statement.
func assertNothingSent(t *testing.T, rec *recorder) {
	t.Helper()
	if sent := rec.Sent(); len(sent) != 0 {
		t.Fatalf("SQL was sent: %s", strings.Join(sent, "; "))
	}
}

func mustCreate(t *testing.T, db *gorm.DB, v any) {
	t.Helper()
	if err := db.Create(v).Error; err != nil {
		t.Fatalf("create %T: %v", v, err)
	}
}

// TestRecorderSeesStatements keeps the "nothing sent" assertions honest.
func TestRecorderSeesStatements(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		tx, rec := recording(db)
		mustCreate(t, tx, &Article{Title: "x"})
		if sent := rec.Sent(); len(sent) != 1 || sent[0] != "BEGIN" {
			t.Fatalf("recorded %q, want BEGIN (the INSERT goes through the transaction)", sent)
		}
		tx, rec = recording(db.Session(&gorm.Session{SkipDefaultTransaction: true}))
		mustCreate(t, tx, &Article{Title: "y"})
		if sent := rec.Sent(); len(sent) != 1 || !strings.HasPrefix(sent[0], "INSERT") {
			t.Fatalf("recorded %q, want the INSERT", sent)
		}
	})
}
