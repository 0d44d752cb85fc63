// Command benchpages measures page latency on PostgreSQL over a large table:
// offset pages against keyset (cursor) pages at several depths, each beside
// the same query written by hand with GORM.
//
//	GORMEXT_TEST_POSTGRES_DSN="host=127.0.0.1 user=postgres dbname=test sslmode=disable" \
//		go run ./internal/cmd/benchpages -rows=1000000
//
// It creates its own schema, bulk-loads it with INSERT ... SELECT
// generate_series, and drops the schema when done. It prints a Markdown
// table of median latencies.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

// BenchRow is the row paged through. created_at repeats every three rows,
// so the id tie-breaker matters.
type BenchRow struct {
	ID         int64     `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt  time.Time `gorm:"not null"`
	Title      string    `gorm:"not null"`
	Score      int       `gorm:"not null"`
	CustomerID int64     `gorm:"not null"`
	Customer   *BenchCustomer
}

// BenchCustomer is the table joined for the sort on a joined column: a
// customer per 100 rows, names unique.
type BenchCustomer struct {
	ID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Name string `gorm:"not null"`
}

type settings struct {
	dsn      string
	rows     int
	pageSize int
	reps     int
}

func main() {
	var s settings
	flag.StringVar(&s.dsn, "dsn", os.Getenv("GORMEXT_TEST_POSTGRES_DSN"), "PostgreSQL DSN (default $GORMEXT_TEST_POSTGRES_DSN)")
	flag.IntVar(&s.rows, "rows", 1_000_000, "rows in the table")
	flag.IntVar(&s.pageSize, "page", 20, "page size")
	flag.IntVar(&s.reps, "reps", 31, "timed rounds per depth (median reported)")
	flag.Parse()
	if s.dsn == "" {
		log.Fatal("benchpages: set GORMEXT_TEST_POSTGRES_DSN or -dsn")
	}
	if err := run(context.Background(), s); err != nil {
		log.Fatal("benchpages: ", err)
	}
}

func run(ctx context.Context, s settings) error {
	admin, err := open(ctx, s.dsn)
	if err != nil {
		return err
	}
	schema := "gormext_benchpages_" + randomHex()
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		return err
	}
	defer func() {
		if err := admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			log.Print("benchpages: dropping schema: ", err)
		}
	}()
	db, err := open(ctx, withSearchPath(s.dsn, schema))
	if err != nil {
		return err
	}
	if err := load(db, s.rows); err != nil {
		return err
	}
	return measure(db, s)
}

func open(ctx context.Context, dsn string) (*gorm.DB, error) {
	db, err := database.Open(ctx, database.Config{URL: dsn})
	if err != nil {
		return nil, err
	}
	db.Logger = logger.Discard
	return db, nil
}

// load creates and fills the table in one statement, then indexes and
// analyses it.
func load(db *gorm.DB, rows int) error {
	start := time.Now()
	customers := max(rows/100, 1)
	steps := []string{
		`CREATE TABLE bench_customers (id bigint PRIMARY KEY, name text NOT NULL)`,
		fmt.Sprintf(`INSERT INTO bench_customers SELECT g, 'customer ' || lpad(((g * 7919) %% %d)::text, 8, '0') FROM generate_series(1, %d) AS g`, customers, customers),
		`CREATE TABLE bench_rows (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, title text NOT NULL, score int NOT NULL, customer_id bigint NOT NULL REFERENCES bench_customers)`,
		fmt.Sprintf(`INSERT INTO bench_rows SELECT g, timestamptz '2026-01-01 00:00:00+00' + (g / 3) * interval '1 second', 'title ' || g, g %% 1000, g %% %d + 1 FROM generate_series(1, %d) AS g`, customers, rows),
		`CREATE INDEX bench_rows_created_at_id ON bench_rows (created_at, id)`,
		// the joined sort: customers by name as the ORDER BY puts them
		// (DESC NULLS LAST), each customer's rows by id
		`CREATE INDEX bench_customers_name ON bench_customers (name DESC NULLS LAST, id)`,
		`CREATE INDEX bench_rows_customer_id_id ON bench_rows (customer_id, id)`,
		`VACUUM ANALYZE bench_customers`,
		`VACUUM ANALYZE bench_rows`,
	}
	for _, sql := range steps {
		if err := db.Exec(sql).Error; err != nil {
			return fmt.Errorf("%s: %w", sql[:min(len(sql), 40)], err)
		}
	}
	log.Printf("benchpages: loaded %d rows in %v", rows, time.Since(start).Round(time.Millisecond))
	return nil
}

// order is "-created_at" as scopes.Sort and QueryOperations build it: the
// primary key appended in the same direction.
var order = []pagination.Order{{Column: "created_at", Desc: true}, {Column: "id", Desc: true}}

const handOrder = "created_at DESC, id DESC"

// joinedOrder is "-Customer.name": a sort on a column of the belongs-to
// association, joined with InnerJoins("Customer"), as every row has one
// (with a LEFT JOIN the keyset predicate stays the OR expansion, see
// docs/querying.md).
var joinedOrder = []pagination.Order{{Column: "Customer.name", Desc: true}, {Column: "id", Desc: true}}

const handJoinedOrder = `"Customer"."name" DESC NULLS LAST, "bench_rows"."id" DESC`

type row struct {
	depth                                  string
	offset, handOffset, keyset, handKeyset time.Duration
	joined, handJoined                     time.Duration
}

// measure times the four kinds of page at every depth. Keyset pages are
// timed in rounds over all depths, then offset pages likewise: a burst of
// load on the machine hits every depth alike, and the cheap keyset queries
// never run right after a long OFFSET scan, whose CPU use the scheduler
// would make the next query pay for.
func measure(db *gorm.DB, s settings) error {
	depths := []float64{0, 0.01, 0.10, 0.50, 0.90}
	out := make([]row, len(depths))
	var keyset, offset, joined []func() error
	for i, d := range depths {
		k, o, err := pageFuncs(db, s, d)
		if err != nil {
			return err
		}
		j, err := joinedFuncs(db, s, d)
		if err != nil {
			return err
		}
		out[i].depth = depthName(d)
		keyset, offset, joined = append(keyset, k...), append(offset, o...), append(joined, j...)
	}
	km, err := interleaved(s.reps, keyset)
	if err != nil {
		return err
	}
	jm, err := interleaved(s.reps, joined)
	if err != nil {
		return err
	}
	for i := range out {
		out[i].joined, out[i].handJoined = jm[2*i], jm[2*i+1]
	}
	om, err := interleaved(s.reps, offset)
	if err != nil {
		return err
	}
	for i := range out {
		out[i].keyset, out[i].handKeyset = km[2*i], km[2*i+1]
		out[i].offset, out[i].handOffset = om[2*i], om[2*i+1]
	}
	printTable(s, out)
	if err := explainDeep(db, s.rows); err != nil {
		return err
	}
	return explainJoined(db, s.rows)
}

// joinedFuncs returns the keyset pages sorted on the joined column
// (gormext, hand-written) at depth.
func joinedFuncs(db *gorm.DB, s settings, depth float64) ([]func() error, error) {
	skip := int(float64(s.rows) * depth)
	var anchor []BenchRow
	if skip > 0 {
		if err := db.Joins("Customer").Order(handJoinedOrder).Offset(skip - 1).Limit(1).Find(&anchor).Error; err != nil || len(anchor) != 1 {
			return nil, fmt.Errorf("joined anchor at %d: %v", skip, err)
		}
	}
	cursor := ""
	if len(anchor) == 1 {
		var err error
		if cursor, err = pagination.CursorOf(db.InnerJoins("Customer"), joinedOrder, anchor[0]); err != nil {
			return nil, err
		}
	}
	return []func() error{
		func() error {
			p, err := pagination.PaginateCursor[BenchRow](db.InnerJoins("Customer"), joinedOrder, pagination.CursorFilter{After: cursor, Limit: s.pageSize})
			return check(len(p.Items), s.pageSize, err)
		},
		func() error { return handJoinedPage(db, anchor, s.pageSize) },
	}, nil
}

// handJoinedPage is the joined keyset page as one writes it by hand
// knowing that every row has a customer with a name: a row-value
// comparison, with the leading bound spelled out for the index on
// customers.name.
func handJoinedPage(db *gorm.DB, anchor []BenchRow, size int) error {
	q := db.InnerJoins("Customer").Order(handJoinedOrder).Limit(size + 1)
	if len(anchor) == 1 {
		name := anchor[0].Customer.Name
		q = q.Where(`"Customer"."name" <= ? AND ("Customer"."name", "bench_rows"."id") < (?, ?)`, name, name, anchor[0].ID)
	}
	var items []BenchRow
	err := q.Find(&items).Error
	return check(min(len(items), size), size, err)
}

// explainJoined prints the plan of the joined keyset page at 90% depth,
// as PaginateCursor sends it.
func explainJoined(db *gorm.DB, rows int) error {
	var anchor BenchRow
	if err := db.Joins("Customer").Order(handJoinedOrder).Offset(rows*9/10 - 1).Limit(1).Take(&anchor).Error; err != nil {
		return err
	}
	cursor, err := pagination.CursorOf(db.InnerJoins("Customer"), joinedOrder, anchor)
	if err != nil {
		return err
	}
	last := &lastSQL{Interface: logger.Discard}
	if _, err := pagination.PaginateCursor[BenchRow](db.Session(&gorm.Session{Logger: last}).InnerJoins("Customer"), joinedOrder, pagination.CursorFilter{After: cursor, Limit: 20}); err != nil {
		return err
	}
	var plan []string
	err = db.Raw("EXPLAIN " + last.sql).Scan(&plan).Error
	fmt.Println("\nplan of the joined keyset page at 90% depth:")
	fmt.Println("    " + last.sql)
	for _, line := range plan {
		fmt.Println("    " + line)
	}
	return err
}

// lastSQL is a GORM logger that keeps the last statement, its values
// written in.
type lastSQL struct {
	logger.Interface
	sql string
}

func (l *lastSQL) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	l.sql, _ = fc()
}

// explainDeep prints the plan of the keyset query PaginateCursor sends for
// a page at 90% depth.
func explainDeep(db *gorm.DB, rows int) error {
	var anchor BenchRow
	if err := db.Order(handOrder).Offset(rows * 9 / 10).Limit(1).Take(&anchor).Error; err != nil {
		return err
	}
	var plan []string
	err := db.Raw(`EXPLAIN SELECT * FROM "bench_rows" WHERE ("bench_rows"."created_at", "bench_rows"."id") < (?, ?) `+
		`ORDER BY "bench_rows"."created_at" DESC, "bench_rows"."id" DESC LIMIT 21`, anchor.CreatedAt, anchor.ID).Scan(&plan).Error
	fmt.Println("\nplan of the keyset page at 90% depth:")
	for _, line := range plan {
		fmt.Println("    " + line)
	}
	return err
}

// pageFuncs returns the keyset pages (gormext, hand-written) and the offset
// pages (gormext, hand-written) at depth.
func pageFuncs(db *gorm.DB, s settings, depth float64) (keyset, offset []func() error, err error) {
	skip := int(float64(s.rows) * depth)
	page := skip/s.pageSize + 1
	var anchor []BenchRow
	if skip > 0 {
		if err := db.Order(handOrder).Offset(skip - 1).Limit(1).Find(&anchor).Error; err != nil || len(anchor) != 1 {
			return nil, nil, fmt.Errorf("anchor at %d: %v", skip, err)
		}
	}
	cursor := ""
	if len(anchor) == 1 {
		if cursor, err = pagination.CursorOf(db, order, anchor[0]); err != nil {
			return nil, nil, err
		}
	}
	keyset = []func() error{
		func() error { return keysetPage(db, cursor, s.pageSize) },
		func() error { return handKeysetPage(db, anchor, s.pageSize) },
	}
	offset = []func() error{
		func() error { return offsetPage(db, page, s.pageSize) },
		func() error { return handOffsetPage(db, skip, s.pageSize) },
	}
	return keyset, offset, nil
}

func depthName(d float64) string {
	if d == 0 {
		return "first page"
	}
	return fmt.Sprintf("%.0f%%", d*100)
}

// offsetPage is a gormext offset page without the count, so that the
// figure is the cost of reaching the page.
func offsetPage(db *gorm.DB, page, size int) error {
	q := db.Model(&BenchRow{}).Scopes(scopes.Sort("-created_at", "created_at"))
	p, err := pagination.Paginate[BenchRow](q, pagination.PaginatedFilter{Page: page, PageSize: size}, pagination.WithCount(pagination.CountNone))
	return check(len(p.Items), size, err)
}

func handOffsetPage(db *gorm.DB, skip, size int) error {
	var items []BenchRow
	err := db.Order(handOrder).Offset(skip).Limit(size).Find(&items).Error
	return check(len(items), size, err)
}

func keysetPage(db *gorm.DB, cursor string, size int) error {
	p, err := pagination.PaginateCursor[BenchRow](db, order, pagination.CursorFilter{After: cursor, Limit: size})
	return check(len(p.Items), size, err)
}

func handKeysetPage(db *gorm.DB, anchor []BenchRow, size int) error {
	q := db.Order(handOrder).Limit(size + 1)
	if len(anchor) == 1 {
		q = q.Where("(created_at, id) < (?, ?)", anchor[0].CreatedAt, anchor[0].ID)
	}
	var items []BenchRow
	err := q.Find(&items).Error
	return check(min(len(items), size), size, err)
}

func check(got, want int, err error) error {
	if err == nil && got != want {
		err = fmt.Errorf("page of %d rows, want %d", got, want)
	}
	return err
}

// interleaved runs each fn once to warm up, then reps rounds of all of
// them in turn, each round starting one further along (so a burst of load
// hits every column alike, and no query always runs right after the same
// one), and returns the median duration of each.
func interleaved(reps int, fns []func() error) ([]time.Duration, error) {
	runs := make([][]time.Duration, len(fns))
	for round := -1; round < reps; round++ {
		for j := range fns {
			i := (j + max(round, 0)) % len(fns) // rotate: no fn always follows the same one
			start := time.Now()
			if err := fns[i](); err != nil {
				return nil, err
			}
			if round >= 0 {
				runs[i] = append(runs[i], time.Since(start))
			}
		}
	}
	medians := make([]time.Duration, len(fns))
	for i, ds := range runs {
		slices.Sort(ds)
		medians[i] = ds[len(ds)/2]
	}
	return medians, nil
}

func printTable(s settings, rows []row) {
	fmt.Printf("PostgreSQL, %d rows, page size %d, sort -created_at (created_at DESC, id DESC), median of %d runs\n\n", s.rows, s.pageSize, s.reps)
	fmt.Println("| depth | offset (gormext) | offset (hand-written GORM) | keyset (gormext) | keyset (hand-written GORM) |")
	fmt.Println("|---|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", r.depth, ms(r.offset), ms(r.handOffset), ms(r.keyset), ms(r.handKeyset))
	}
	first, deep := rows[0], rows[len(rows)-1]
	fmt.Printf("\nkeyset at %s / first page: %.2fx (goal <= 1.5x); offset at %s / first page: %.0fx\n",
		deep.depth, ratio(deep.keyset, first.keyset), deep.depth, ratio(deep.offset, first.offset))
	fmt.Printf("\nsort -Customer.name (\"Customer\".\"name\" DESC NULLS LAST, id DESC), joined, median of %d runs\n\n", s.reps)
	fmt.Println("| depth | keyset (gormext) | keyset (hand-written GORM) |")
	fmt.Println("|---|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.depth, ms(r.joined), ms(r.handJoined))
	}
	fmt.Printf("\njoined keyset at %s / first page: %.2fx (goal <= 1.5x); hand-written: %.2fx\n",
		deep.depth, ratio(deep.joined, first.joined), ratio(deep.handJoined, first.handJoined))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func withSearchPath(dsn, schema string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

func randomHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
