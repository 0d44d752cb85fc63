package scopes_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/scopes"
)

type outcome int

const (
	literal   outcome = iota // accepted, matched literally: want the listed rows
	badFilter                // ErrInvalidFilter
	badPage                  // pagination.ErrInvalidPage
)

// hostile are query strings a client may send. {good}, {tampered} and
// {forged} stand for a real cursor, the same with one byte changed, and a
// cursor made up by the client.
var hostile = []struct {
	query string
	want  outcome
	ids   []int64
}{
	{"sort=name;DROP TABLE people", badFilter, nil},
	{"sort=(SELECT 1)", badFilter, nil},
	{"sort=name desc", badFilter, nil},
	{"sort=-name,--", badFilter, nil},
	{"sort=passwd", badFilter, nil},
	{"sort=1", badFilter, nil},
	{`sort="name"`, badFilter, nil},
	{"sort=name%00", badFilter, nil},
	{"sort=created_at,created_at", badFilter, nil},
	{"sort=name,age,created_at,score,-id", badFilter, nil},
	{"sort=" + strings.Repeat("name,", 100), badFilter, nil},
	{"name=' OR '1'='1", literal, nil},
	{"name=Ann' --", literal, nil},
	{"name_icontains=%25", literal, []int64{4}},
	{"name_icontains=_", literal, []int64{3}},
	{`name_contains=\`, literal, []int64{5}},
	{"name_contains=*", literal, []int64{6}},
	{"name_icontains=%25' OR 1=1 --", literal, nil},
	{"status_in=active') OR ('1'='1", literal, nil},
	{"status_in=active,banned", literal, []int64{5, 4, 3, 1}},
	{"id_in=1 OR 1=1", badFilter, nil},
	{"age_gte=1;DELETE FROM people", badFilter, nil},
	{"email_isnull=1 OR 1=1", badFilter, nil},
	{"passwd=x", badFilter, nil},
	{"name[$ne]=x", badFilter, nil},
	{"name__contains=x", badFilter, nil},
	{"name,icontains=x", badFilter, nil},
	{"age_gte_or=1", badFilter, nil},
	{"PaginatedFilter.Page=2", badFilter, nil},
	{"name=" + strings.Repeat("A", 10_000), badFilter, nil},
	{"name=%00", badFilter, nil},
	{"name=a%00' OR 1=1", badFilter, nil},
	{"name=%ff%fe", badFilter, nil},
	{"q=%25' OR 1=1 --", literal, nil},
	{"q=%ff", badFilter, nil},
	{"q=" + strings.Repeat("x", 300), badFilter, nil},
	{"page=-1", badPage, nil},
	{"page=0", badPage, nil},
	{"page=99999999999999999999", badPage, nil},
	{"page=9223372036854775807", badPage, nil},
	{"page=1000000", literal, []int64{}},
	{"page_size=100000", badPage, nil},
	{"page_size=-20", badPage, nil},
	{"page_size=1e3", badPage, nil},
	{"limit=1000000", badPage, nil},
	{"limit=0x10", badPage, nil},
	{"after=garbage", badPage, nil},
	{"after=%00%00", badPage, nil},
	{"after={tampered}", badPage, nil},
	{"after={forged}", badPage, nil},
	{"before={good}&after={good}", badPage, nil},
	{"after=" + strings.Repeat("A", 5000), badPage, nil},
	{"after={good}&sort=name", badPage, nil},
}

func hostileOps() scopes.QueryOperations[Person, PersonFilter] {
	return scopes.QueryOperations[Person, PersonFilter]{
		SortFields:    []string{"name", "age", "created_at", "score"},
		DefaultSort:   "-created_at",
		SearchColumns: []string{"name", "email"},
		CursorKey:     []byte("a test key of thirty-two bytes.."),
	}
}

// checksum digests every row of people, deleted ones included.
func checksum(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var ps []Person
	if err := db.Unscoped().Order("id").Find(&ps).Error; err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, p := range ps {
		fmt.Fprintf(h, "%d|%s|%v|%d|%s|%v|%s|%v\n", p.ID, p.Name, deref(p.Email), p.Age, p.Status, deref(p.Score), p.CreatedAt.UTC(), p.DeletedAt)
	}
	return fmt.Sprintf("%d rows %x", len(ps), h.Sum(nil))
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestHostileInput(t *testing.T) {
	if len(hostile) < 30 {
		t.Fatalf("only %d hostile cases", len(hostile))
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		seed(t, db)
		before := checksum(t, db)
		ops := hostileOps()
		ctx := ctxWith(db)
		first, err := ops.PaginateCursor(ctx, PersonFilter{CursorFilter: pagination.CursorFilter{Limit: 2}})
		if err != nil {
			t.Fatal(err)
		}
		good := first.NextCursor
		tampered := []byte(good)
		tampered[5] ^= 0x20
		forged := base64.RawURLEncoding.EncodeToString(append([]byte(`{"v":["2000-01-01T00:00:00Z",1],"t":0}`), make([]byte, 32)...))
		subst := strings.NewReplacer("{good}", good, "{tampered}", string(tampered), "{forged}", forged)
		for _, c := range hostile {
			t.Run(fmt.Sprintf("%.40q", c.query), func(t *testing.T) {
				got, err := runQuery(ctx, ops, subst.Replace(c.query))
				checkOutcome(t, c.want, c.ids, got, err)
			})
		}
		if after := checksum(t, db); after != before {
			t.Fatalf("table changed: %s, was %s", after, before)
		}
	})
}

// runQuery decodes a raw query string and runs the listing it asks for.
func runQuery(ctx context.Context, ops scopes.QueryOperations[Person, PersonFilter], raw string) ([]int64, error) {
	values, err := url.ParseQuery(raw)
	if err != nil {
		values = url.Values{}
		for _, kv := range strings.Split(raw, "&") {
			k, v, _ := strings.Cut(kv, "=")
			values.Add(k, v)
		}
	}
	var f PersonFilter
	if err := scopes.Decode(values, &f); err != nil {
		return nil, err
	}
	if f.After != "" || f.Before != "" || f.Limit != 0 {
		p, err := ops.PaginateCursor(ctx, f)
		return ids(p.Items), err
	}
	p, err := ops.Paginate(ctx, f)
	return ids(p.Items), err
}

func checkOutcome(t *testing.T, want outcome, wantIDs, got []int64, err error) {
	t.Helper()
	switch want {
	case literal:
		if err != nil {
			t.Fatalf("err = %v, want a literal match", err)
		}
		if !slices.Equal(got, wantIDs) && !(len(got) == 0 && len(wantIDs) == 0) {
			t.Fatalf("rows %v, want %v", got, wantIDs)
		}
	case badFilter:
		if !errors.Is(err, scopes.ErrInvalidFilter) {
			t.Fatalf("err = %v, want ErrInvalidFilter", err)
		}
	case badPage:
		if !errors.Is(err, pagination.ErrInvalidPage) {
			t.Fatalf("err = %v, want ErrInvalidPage", err)
		}
	}
	if err != nil && len(err.Error()) > 500 {
		t.Fatalf("message of %d bytes echoes the input", len(err.Error()))
	}
	if err != nil {
		if leak := goInternals(err.Error(), personFilterType); leak != "" {
			t.Fatalf("message %q speaks of Go: %q", err, leak)
		}
	}
}
