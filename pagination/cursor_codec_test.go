package pagination_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/gormext/gormext/pagination"
)

// plainLevel and plainName are named types without methods, whose values
// convert to driver values by their kind.
type (
	plainLevel int16
	plainName  string
)

// TestCursorCodecAgreesWithJSON: the cursor values written and read
// without encoding/json are the bytes json.Marshal writes and the values
// json.Unmarshal reads, for every kind of value and for random ones; and
// a value written straight from a struct field (or a pointer field, or a
// nil one) is written as from the field's value.
func TestCursorCodecAgreesWithJSON(t *testing.T) {
	zone := time.FixedZone("", -(3*3600 + 30*60))
	values := []any{
		nil, int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), 42, int8(-8), uint16(7), uint32(math.MaxUint32),
		0.0, -0.5, 1e21, 1e-7, math.Inf(1), math.Inf(-1), math.NaN(), float32(1.5),
		true, false, "", "plain text", `quote " and \ backslash`, "<b>&amp;</b>", "tab\there", "é ü 日本", "\u2028", string([]byte{0xff, 0x00}),
		[]byte{}, []byte("bytes"), []byte{0, 1, 2, 255},
		time.Date(2026, 1, 31, 10, 0, 0, 123456789, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 0, zone), time.Date(1900, 1, 1, 0, 0, 20, 0, time.FixedZone("AMT", 19*60+32)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		uint64(math.MaxUint64), plainLevel(-3), plainName("abc"), plainName(`a "quoted" name`), time.Duration(5),
	}
	r := rand.New(rand.NewPCG(7, 11))
	for range 500 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		values = append(values, r.Int64()-r.Int64(), r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)), string(b), b,
			time.Unix(r.Int64N(1<<34), r.Int64N(1e9)).In(time.FixedZone("", 60*(r.IntN(1440)-720))))
	}
	for _, v := range values {
		typ := reflect.TypeOf(v)
		if typ == nil {
			typ = reflect.TypeFor[*int64]()
		}
		if diff := pagination.CodecAgrees(v, typ); diff != "" {
			t.Errorf("%T %#v: %s", v, v, diff)
		}
		if v == nil {
			continue
		}
		if diff := pagination.FieldCodecAgrees(v); diff != "" {
			t.Errorf("field %T %#v: %s", v, v, diff)
		}
	}
}
