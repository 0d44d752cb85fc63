package pagination

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"gorm.io/gorm/schema"
)

// MaxCursorLength is the longest cursor string accepted; longer input is
// rejected before it is decoded.
const MaxCursorLength = 4096

// processKey signs cursors when no key is configured: random, made once per
// process.
var processKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic("pagination: no randomness for the cursor key: " + err.Error())
	}
	return k
})

// cursorBody is what a cursor carries: the sort values of one row and when
// it was issued.
type cursorBody struct {
	Values []json.RawMessage `json:"v"`
	Issued int64             `json:"t"`
}

// specOf names the listing a cursor belongs to: table, then every key with
// its direction and NULL placement.
func specOf(table string, keys []key) string {
	var b bytes.Buffer
	b.WriteString(table)
	for _, k := range keys {
		b.WriteByte('|')
		b.WriteString(k.binding())
		b.WriteString(direction(k.Desc))
		b.WriteString(strconv.FormatBool(k.NullsFirst))
	}
	return b.String()
}

// seal signs payload, which m.buf holds, for the listing spec and returns
// the cursor.
func (m *macState) seal(payload []byte, spec string) string {
	signed := m.appendSum(payload, spec, payload)
	m.buf = signed
	return encodeBase64(signed)
}

// decodeCursor checks a cursor's signature and age and decodes its values
// (see encodeValue).
func decodeCursor(c config, spec string, keys []key, param, cursor string, now time.Time) ([]any, error) {
	sg := c.signer()
	m := sg.get()
	defer sg.put(m)
	payload, err := openCursor(m, spec, param, cursor)
	if err != nil {
		return nil, err
	}
	var room [cachedKeys]json.RawMessage
	raws, issued, fast := parseBody(payload, room[:0])
	if !fast {
		var body cursorBody
		if err := json.Unmarshal(payload, &body); err != nil {
			return nil, errMalformedCursor(param)
		}
		raws, issued = body.Values, body.Issued
	}
	if c.ttl > 0 && now.Sub(time.Unix(issued, 0)) > c.ttl {
		return nil, rejectParam(param, "cursor_expired", "the cursor has expired; start again from the first page")
	}
	if len(raws) != len(keys) {
		return nil, errCursorMismatch(param)
	}
	values := make([]any, len(keys))
	for i, k := range keys {
		var v any
		var err error
		if fast {
			v, err = fastValue(raws[i], k.valueType(), k.fits)
		} else {
			v, err = k.decode(raws[i])
		}
		if err != nil {
			return nil, errCursorMismatch(param)
		}
		values[i] = v
	}
	return values, nil
}

// openCursor decodes a cursor into m's buffer and verifies its signature;
// it returns the signed payload, valid until m goes back to its pool.
func openCursor(m *macState, spec, param, cursor string) ([]byte, error) {
	if len(cursor) > MaxCursorLength {
		return nil, rejectParam(param, "too_long", "must be at most %d bytes long (got %d bytes)", MaxCursorLength, len(cursor))
	}
	raw, err := appendDecodeBase64(m.buf[:0], cursor)
	if err != nil || len(raw) <= sha256.Size {
		return nil, errMalformedCursor(param)
	}
	raw = slices.Grow(raw, sha256.Size) // room for the signature to compare
	m.buf = raw[:0]
	payload, sig := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	want := m.appendSum(raw[len(raw):], spec, payload)
	if !hmac.Equal(sig, want) {
		return nil, rejectParam(param, "cursor", "the cursor was altered, or was issued for another listing or sort; pass next_cursor or prev_cursor as returned, with the same sort")
	}
	return payload, nil
}

// errMalformedCursor is the error of a cursor that is none.
func errMalformedCursor(param string) error {
	return rejectParam(param, "cursor", "must be a cursor as returned in next_cursor or prev_cursor")
}

// errCursorMismatch is the error of a signed cursor whose values do not
// fit the sort's keys.
func errCursorMismatch(param string) error {
	return rejectParam(param, "cursor", "the cursor does not fit this sort; pass next_cursor or prev_cursor as returned, with the same sort")
}

// keyValue reads the value of k, a column or a joined column, from row (a
// T) through its schema.
func keyValue(ctx context.Context, s *schema.Schema, k key, row reflect.Value) (any, error) {
	if k.rel != nil {
		return joinedValue(ctx, s, k, row)
	}
	f := s.LookUpField(k.field.DBName)
	if f == nil {
		return nil, fmt.Errorf("%w %q: the result type %s lacks it", ErrUnknownColumn, k.field.DBName, s.Name)
	}
	v, _ := f.ValueOf(ctx, row)
	return v, nil
}

// isNull reports whether v binds as SQL NULL.
func isNull(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return true
	}
	if valuer, ok := v.(driver.Valuer); ok {
		x, err := valuer.Value()
		return err == nil && x == nil
	}
	return false
}
