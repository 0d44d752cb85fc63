package pagination_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
)

// EnvKeysetRounds sets how many random tables TestKeysetEveryType pages
// through per database (default 1).
const EnvKeysetRounds = "PAGINATION_KEYSET_ROUNDS"

// EnvKeysetSeed replays TestKeysetEveryType with a given seed (default 1).
const EnvKeysetSeed = "PAGINATION_KEYSET_SEED"

// Paging forward and backward through a table whose sort columns have every
// type GORM maps, full of duplicates and NULLs, by each column in both
// directions and both NULL placements, and by random multi-column orders,
// with page sizes from 1 to the whole table, returns every row exactly once
// in the order a plain ORDER BY gives; so does paging on from CursorOf.
func TestKeysetEveryType(t *testing.T) {
	seed, rounds := envUint(t, EnvKeysetSeed, 1), envUint(t, EnvKeysetRounds, 1)
	t.Logf("seed %d, %d rounds; replay with %s=%d %s=%d", seed, rounds, EnvKeysetSeed, seed, EnvKeysetRounds, rounds)
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&Typed{}); err != nil {
			t.Fatal(err)
		}
		s, err := schemaOf(db, &Typed{})
		if err != nil {
			t.Fatal(err)
		}
		for round := range rounds {
			r := rand.New(rand.NewPCG(seed, round))
			rows := randomTyped(r, 6+r.IntN(9))
			if err := db.Exec("DELETE FROM typeds").Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Create(&rows).Error; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for _, order := range typedOrders(r, s) {
				if err := checkTypedOrder(db, r, order, len(rows)); err != nil {
					t.Errorf("seed %d round %d, order %s: %v", seed, round, orderText(order), err)
				}
			}
		}
	})
}

func envUint(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// typedOrders returns, for each sort column, both directions and, where it
// can hold NULL, both NULL placements, with the id tie-breaker in the same
// or the other direction at random; then a few random multi-column orders.
func typedOrders(r *rand.Rand, s *schema.Schema) [][]pagination.Order {
	var out [][]pagination.Order
	columns := make([]*schema.Field, 0, len(typedGens))
	for _, name := range slices.Sorted(maps.Keys(typedGens)) {
		columns = append(columns, s.LookUpField(name))
	}
	for _, f := range columns {
		for _, desc := range []bool{false, true} {
			for _, first := range placements(f) {
				out = append(out, []pagination.Order{{Column: f.DBName, Desc: desc, NullsFirst: first}, {Column: "id", Desc: desc != (r.IntN(2) == 0)}})
			}
		}
	}
	for range 12 {
		var order []pagination.Order
		for _, i := range r.Perm(len(columns))[:2+r.IntN(2)] {
			order = append(order, pagination.Order{Column: columns[i].DBName, Desc: r.IntN(2) == 0, NullsFirst: r.IntN(2) == 0})
		}
		out = append(out, append(order, pagination.Order{Column: "id", Desc: r.IntN(2) == 0}))
	}
	return out
}

func placements(f *schema.Field) []bool {
	if f.NotNull {
		return []bool{false}
	}
	return []bool{false, true}
}

// checkTypedOrder pages through the table by order with page sizes 1, n
// and two at random in between, forward then backward, and from CursorOf a
// random row.
func checkTypedOrder(db *gorm.DB, r *rand.Rand, order []pagination.Order, n int) error {
	want, err := plainOrder(db, order)
	if err != nil {
		return err
	}
	for _, limit := range []int{1, n, 2 + r.IntN(n-2), 2 + r.IntN(n-2)} {
		forward, last, err := typedForward(db, order, limit)
		if err != nil {
			return fmt.Errorf("limit %d forward: %w", limit, err)
		}
		if !slices.Equal(forward, want) {
			return fmt.Errorf("limit %d forward:\n got %v\nwant %v", limit, forward, want)
		}
		backward, err := typedBackward(db, order, limit, last)
		if err != nil {
			return fmt.Errorf("limit %d backward: %w", limit, err)
		}
		if !slices.Equal(backward, want) {
			return fmt.Errorf("limit %d backward:\n got %v\nwant %v", limit, backward, want)
		}
	}
	return checkCursorOf(db, r, order, want)
}

// plainOrder reads the ids in the order a hand-written ORDER BY gives.
func plainOrder(db *gorm.DB, order []pagination.Order) ([]int64, error) {
	terms := make([]string, len(order))
	for i, o := range order {
		terms[i] = `"` + o.Column + `"` + map[bool]string{false: " ASC", true: " DESC"}[o.Desc] + map[bool]string{false: " NULLS LAST", true: " NULLS FIRST"}[o.NullsFirst]
	}
	var ids []int64
	err := db.Raw("SELECT id FROM typeds ORDER BY " + strings.Join(terms, ", ")).Scan(&ids).Error
	return ids, err
}

func typedIDs(rows []Typed) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

func typedForward(db *gorm.DB, order []pagination.Order, limit int) ([]int64, pagination.CursorPage[Typed], error) {
	var got []int64
	f := pagination.CursorFilter{Limit: limit}
	for range 100 {
		p, err := pagination.PaginateCursor[Typed](db, order, f)
		if err != nil {
			return got, p, fmt.Errorf("after %v: %w", got, err)
		}
		if p.HasPrev != (f.After != "") || len(p.Items) > limit || (p.HasNext && len(p.Items) != limit) {
			return got, p, fmt.Errorf("after %v: %d items, HasNext %v, HasPrev %v", got, len(p.Items), p.HasNext, p.HasPrev)
		}
		got = append(got, typedIDs(p.Items)...)
		if !p.HasNext {
			return got, p, nil
		}
		f.After = p.NextCursor
	}
	return got, pagination.CursorPage[Typed]{}, fmt.Errorf("the walk did not end: %v", got)
}

func typedBackward(db *gorm.DB, order []pagination.Order, limit int, p pagination.CursorPage[Typed]) ([]int64, error) {
	got := typedIDs(p.Items)
	for range 100 {
		if !p.HasPrev {
			return got, nil
		}
		var err error
		p, err = pagination.PaginateCursor[Typed](db, order, pagination.CursorFilter{Before: p.PrevCursor, Limit: limit})
		if err != nil {
			return got, fmt.Errorf("before %v: %w", got, err)
		}
		if !p.HasNext || len(p.Items) == 0 {
			return got, fmt.Errorf("before %v: %d items, HasNext %v", got, len(p.Items), p.HasNext)
		}
		got = append(typedIDs(p.Items), got...)
	}
	return got, fmt.Errorf("the walk did not end: %v", got)
}

// checkCursorOf pages on after and before a random row's CursorOf.
func checkCursorOf(db *gorm.DB, r *rand.Rand, order []pagination.Order, want []int64) error {
	i := r.IntN(len(want))
	var row Typed
	if err := db.First(&row, want[i]).Error; err != nil {
		return err
	}
	c, err := pagination.CursorOf(db, order, row)
	if err != nil {
		return fmt.Errorf("CursorOf(row %d): %w", want[i], err)
	}
	after, err := pagination.PaginateCursor[Typed](db, order, pagination.CursorFilter{After: c, Limit: len(want)})
	if err != nil {
		return fmt.Errorf("after CursorOf(row %d): %w", want[i], err)
	}
	before, err := pagination.PaginateCursor[Typed](db, order, pagination.CursorFilter{Before: c, Limit: len(want)})
	if err != nil {
		return fmt.Errorf("before CursorOf(row %d): %w", want[i], err)
	}
	if got := typedIDs(after.Items); !slices.Equal(got, want[i+1:]) {
		return fmt.Errorf("after CursorOf(row %d): got %v, want %v", want[i], got, want[i+1:])
	}
	if got := typedIDs(before.Items); !slices.Equal(got, want[:i]) {
		return fmt.Errorf("before CursorOf(row %d): got %v, want %v", want[i], got, want[:i])
	}
	return nil
}

func orderText(order []pagination.Order) string {
	parts := make([]string, len(order))
	for i, o := range order {
		parts[i] = o.Column
		if o.Desc {
			parts[i] = "-" + parts[i]
		}
		if o.NullsFirst {
			parts[i] += " nulls first"
		}
	}
	return strings.Join(parts, ",")
}
