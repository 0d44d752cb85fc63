package pagination_test

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Typed has a sort column of every type GORM maps. The plain columns are
// "not null", so that they take the row-value predicate; the pointers,
// sql.Null* and nullable custom types take the OR expansion with NULLs.
type Typed struct {
	ID int64 `gorm:"primaryKey;autoIncrement:false"`

	I8    int8      `gorm:"not null"`
	I16   int16     `gorm:"not null"`
	I32   int32     `gorm:"not null"`
	I64   int64     `gorm:"not null"`
	Int   int       `gorm:"not null"`
	U8    uint8     `gorm:"not null"`
	U16   uint16    `gorm:"not null"`
	U32   uint32    `gorm:"not null"`
	U64   uint64    `gorm:"not null"`
	Uint  uint      `gorm:"not null"`
	F32   float32   `gorm:"not null"`
	F64   float64   `gorm:"not null"`
	Bool  bool      `gorm:"not null"`
	Str   string    `gorm:"not null"`
	Bytes []byte    `gorm:"not null"`
	Time  time.Time `gorm:"not null"`

	PI8    *int8
	PI16   *int16
	PI32   *int32
	PI64   *int64
	PInt   *int
	PU8    *uint8
	PU16   *uint16
	PU32   *uint32
	PU64   *uint64
	PUint  *uint
	PF32   *float32
	PF64   *float64
	PBool  *bool
	PStr   *string
	PBytes *[]byte
	PTime  *time.Time
	OBytes []byte // nullable: nil is NULL on PostgreSQL, an empty blob on SQLite

	NInt64   sql.NullInt64
	NInt32   sql.NullInt32
	NInt16   sql.NullInt16
	NByte    sql.NullByte
	NFloat64 sql.NullFloat64
	NBool    sql.NullBool
	NString  sql.NullString
	NTime    sql.NullTime
	NGeneric sql.Null[int64]

	Money  Money `gorm:"not null"`
	PMoney *Money

	UUID  uuid.UUID     `gorm:"type:uuid;not null"`
	PUUID *uuid.UUID    `gorm:"type:uuid"`
	NUUID uuid.NullUUID `gorm:"type:uuid"`

	Doc  Doc  `gorm:"type:jsonb"`
	Meta Meta `gorm:"type:jsonb;serializer:json"`

	Status   Status   `gorm:"not null"`
	Priority Priority `gorm:"not null"`
	PStatus  *Status

	// named types without methods, whose cursor values are read straight
	// from the field; one stored under a column name of its own
	Cents  Cents `gorm:"not null"`
	Label  Label `gorm:"column:lbl;not null"`
	Ratio  Ratio `gorm:"not null"`
	PCents *Cents
	PLabel *Label `gorm:"column:plbl"`

	// columns of embedded structs, one embedded by pointer (nil at times)
	TypedStamps
	*TypedExtra
}

// Cents, Label and Ratio are named types without methods: they bind as
// the integer, string and float they hold.
type (
	Cents int64
	Label string
	Ratio float64
)

// TypedStamps is embedded in Typed.
type TypedStamps struct {
	ETime time.Time `gorm:"not null"`
	ERank int32     `gorm:"column:erank_col;not null"`
}

// TypedExtra is embedded in Typed by pointer.
type TypedExtra struct {
	XScore *int
	XLabel *Label
}

// Money is a custom Valuer and Scanner with unexported state and no JSON
// methods of its own.
type Money struct{ cents int64 }

// Value implements driver.Valuer.
func (m Money) Value() (driver.Value, error) { return m.cents, nil }

// Scan implements sql.Scanner.
func (m *Money) Scan(src any) error {
	n, ok := src.(int64)
	if !ok {
		return fmt.Errorf("money: cannot scan %T", src)
	}
	m.cents = n
	return nil
}

// Doc is a JSON document stored through Valuer and Scanner.
type Doc map[string]any

// Value implements driver.Valuer.
func (d Doc) Value() (driver.Value, error) {
	if d == nil {
		return nil, nil
	}
	b, err := json.Marshal(map[string]any(d))
	return string(b), err
}

// Scan implements sql.Scanner.
func (d *Doc) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		*d = nil
		return nil
	case string:
		return json.Unmarshal([]byte(s), (*map[string]any)(d))
	case []byte:
		return json.Unmarshal(s, (*map[string]any)(d))
	}
	return fmt.Errorf("doc: cannot scan %T", src)
}

// Meta is stored through GORM's JSON serializer.
type Meta struct {
	Level int    `json:"level"`
	Tag   string `json:"tag"`
}

// Status is stored as an integer and written in JSON as its name.
type Status int64

var statusNames = []string{"draft", "published", "archived"}

// MarshalJSON writes the status name.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(statusNames[s]) }

// UnmarshalJSON reads a status name.
func (s *Status) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	for i, n := range statusNames {
		if n == name {
			*s = Status(i)
			return nil
		}
	}
	return errors.New("unknown status " + name)
}

// Value implements driver.Valuer.
func (s Status) Value() (driver.Value, error) { return int64(s), nil }

// Scan implements sql.Scanner.
func (s *Status) Scan(src any) error {
	n, ok := src.(int64)
	if !ok {
		return fmt.Errorf("status: cannot scan %T", src)
	}
	*s = Status(n)
	return nil
}

// Priority is stored as a string and written in JSON as a number.
type Priority string

var priorities = []Priority{"high", "low", "normal"}

// MarshalJSON writes the priority's rank.
func (p Priority) MarshalJSON() ([]byte, error) {
	for i, q := range priorities {
		if q == p {
			return json.Marshal(i)
		}
	}
	return nil, errors.New("unknown priority " + string(p))
}

// UnmarshalJSON reads a rank.
func (p *Priority) UnmarshalJSON(b []byte) error {
	var i int
	if err := json.Unmarshal(b, &i); err != nil || i < 0 || i >= len(priorities) {
		return errors.New("bad priority " + string(b))
	}
	*p = priorities[i]
	return nil
}

// gen draws a random value for one field of Typed.
type gen func(r *rand.Rand) any

func oneOf[T any](values ...T) gen {
	return func(r *rand.Rand) any { return values[r.IntN(len(values))] }
}

// ptrOrNil draws nil one time in four, else a pointer to one of values.
func ptrOrNil[T any](values ...T) gen {
	return func(r *rand.Rand) any {
		if r.IntN(4) == 0 {
			return (*T)(nil)
		}
		v := values[r.IntN(len(values))]
		return &v
	}
}

// nullOr draws the zero (NULL) value one time in four, else one of values.
func nullOr[T any](values ...T) gen {
	return func(r *rand.Rand) any {
		if r.IntN(4) == 0 {
			var zero T
			return zero
		}
		return values[r.IntN(len(values))]
	}
}

var (
	t1     = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	times  = []time.Time{t1, t1.In(time.FixedZone("CEST", 2*3600)), t1.Add(time.Microsecond), t1.Add(time.Nanosecond), t1.Add(-time.Hour).In(time.FixedZone("", -5*3600)), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)}
	blobs  = [][]byte{{}, {0}, {0, 0}, {1}, {0xff}, []byte("a")}
	strs   = []string{"", "a", "A", "a b", "ä", "z", "日本"}
	f32s   = []float32{-1.5, 0, 0.1, 1e-7, 3.4e38, float32(math.Inf(1))}
	f64s   = []float64{-math.MaxFloat64, -0.1, 0, 0.1, 0.30000000000000004, 1e-300, math.Inf(-1)}
	uuids  = []uuid.UUID{uuid.MustParse("00000000-0000-0000-0000-000000000001"), uuid.MustParse("ffffffff-0000-0000-0000-000000000000"), uuid.MustParse("7f000000-0000-7000-8000-000000000000")}
	moneys = []Money{{-5}, {0}, {12}}
	docs   = []Doc{{"a": 1.0}, {"a": 2.0}, {"b": "x"}, {}}
	metas  = []Meta{{1, "x"}, {2, "a"}, {1, "b"}}
)

// typedGens draws each field of Typed, by Go field name.
var typedGens = map[string]gen{
	"I8": oneOf[int8](math.MinInt8, -1, 0, 1, math.MaxInt8), "I16": oneOf[int16](math.MinInt16, -2, 0, 5, math.MaxInt16),
	"I32": oneOf[int32](math.MinInt32, -7, 0, 3, math.MaxInt32), "I64": oneOf[int64](math.MinInt64, -1, 0, 1<<53+1, math.MaxInt64),
	"Int": oneOf(math.MinInt64, -1, 0, 1<<53+1, math.MaxInt64),
	"U8":  oneOf[uint8](0, 1, 200, math.MaxUint8), "U16": oneOf[uint16](0, 1, math.MaxUint16),
	"U32": oneOf[uint32](0, 1, 1<<31, math.MaxUint32), "U64": oneOf[uint64](0, 1, 1<<53+1, math.MaxInt64),
	"Uint": oneOf[uint](0, 1, 1<<53+1, math.MaxInt64),
	"F32":  oneOf(f32s...), "F64": oneOf(f64s...), "Bool": oneOf(false, true), "Str": oneOf(strs...),
	"Bytes": oneOf(blobs...), "Time": oneOf(times...),

	"PI8": ptrOrNil[int8](math.MinInt8, 0, 1), "PI16": ptrOrNil[int16](-2, 0, 5), "PI32": ptrOrNil[int32](-7, 0, 3),
	"PI64": ptrOrNil[int64](math.MinInt64, 0, math.MaxInt64), "PInt": ptrOrNil(-1, 0, 1),
	"PU8": ptrOrNil[uint8](0, 255), "PU16": ptrOrNil[uint16](0, 7), "PU32": ptrOrNil[uint32](0, math.MaxUint32),
	"PU64": ptrOrNil[uint64](0, math.MaxInt64), "PUint": ptrOrNil[uint](0, 3),
	"PF32": ptrOrNil(f32s...), "PF64": ptrOrNil(f64s...), "PBool": ptrOrNil(false, true), "PStr": ptrOrNil(strs...),
	"PBytes": ptrOrNil(blobs...), "OBytes": nullOr(blobs...), "PTime": ptrOrNil(times...),

	"NInt64":   nullOr(sql.NullInt64{Int64: -3, Valid: true}, sql.NullInt64{Int64: 0, Valid: true}, sql.NullInt64{Int64: 9, Valid: true}),
	"NInt32":   nullOr(sql.NullInt32{Int32: 1, Valid: true}, sql.NullInt32{Int32: 2, Valid: true}),
	"NInt16":   nullOr(sql.NullInt16{Int16: -1, Valid: true}, sql.NullInt16{Int16: 2, Valid: true}),
	"NByte":    nullOr(sql.NullByte{Byte: 0, Valid: true}, sql.NullByte{Byte: 200, Valid: true}),
	"NFloat64": nullOr(sql.NullFloat64{Float64: 0.1, Valid: true}, sql.NullFloat64{Float64: -2.5, Valid: true}),
	"NBool":    nullOr(sql.NullBool{Bool: false, Valid: true}, sql.NullBool{Bool: true, Valid: true}),
	"NString":  nullOr(sql.NullString{String: "", Valid: true}, sql.NullString{String: "b", Valid: true}),
	"NTime":    nullOr(sql.NullTime{Time: times[0], Valid: true}, sql.NullTime{Time: times[1], Valid: true}, sql.NullTime{Time: times[2], Valid: true}),
	"NGeneric": nullOr(sql.Null[int64]{V: 4, Valid: true}, sql.Null[int64]{V: -4, Valid: true}),

	"Money": oneOf(moneys...), "PMoney": ptrOrNil(moneys...),
	"UUID": oneOf(uuids...), "PUUID": ptrOrNil(uuids...),
	"NUUID": nullOr(uuid.NullUUID{UUID: uuids[0], Valid: true}, uuid.NullUUID{UUID: uuids[1], Valid: true}),
	"Doc":   nullOr(docs...), "Meta": oneOf(metas...),
	"Status": oneOf[Status](0, 1, 2), "Priority": oneOf(priorities...), "PStatus": ptrOrNil[Status](0, 1, 2),

	"Cents": oneOf[Cents](math.MinInt64, -1, 0, 1<<53+1), "Label": oneOf[Label]("", "a", "b\"<", "ä"),
	"Ratio": oneOf[Ratio](-0.5, 0, 0.1, 1e300), "PCents": ptrOrNil[Cents](-3, 0, 3), "PLabel": ptrOrNil[Label]("", "x", "y\\"),
	"ETime": oneOf(times...), "ERank": oneOf[int32](-1, 0, 1),
	"XScore": ptrOrNil(-1, 0, 2), "XLabel": ptrOrNil[Label]("a", "b"),
}

// randomTyped makes n rows with random values from small domains, so that
// every column has duplicates (and NULLs where it may).
func randomTyped(r *rand.Rand, n int) []Typed {
	rows := make([]Typed, n)
	for i := range rows {
		rv := reflect.ValueOf(&rows[i]).Elem()
		rv.FieldByName("ID").SetInt(int64(i + 1))
		rows[i].TypedExtra = new(TypedExtra)
		for _, name := range slices.Sorted(maps.Keys(typedGens)) {
			rv.FieldByName(name).Set(reflect.ValueOf(typedGens[name](r)))
		}
		if r.IntN(4) == 0 {
			rows[i].TypedExtra = nil // its columns NULL
		}
	}
	return rows
}
