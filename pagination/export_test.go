package pagination

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"gorm.io/gorm/schema"
)

// SignCursor signs a cursor of raw JSON values for the listing of table
// sorted by order, as a client holding the key could: tests use it to craft
// validly signed cursors whose content does not fit the sort.
func SignCursor(secret []byte, table string, order []Order, values ...string) string {
	return SignCursorAt(secret, table, order, time.Now(), values...)
}

// SignCursorAt is SignCursor for a cursor issued at issued.
func SignCursorAt(secret []byte, table string, order []Order, issued time.Time, values ...string) string {
	keys := make([]key, len(order))
	for i, o := range order {
		keys[i] = key{Order: o, field: &schema.Field{DBName: o.Column}}
	}
	body := cursorBody{Values: make([]json.RawMessage, len(values)), Issued: issued.Unix()}
	for i, v := range values {
		body.Values[i] = json.RawMessage(v)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	signed := append(payload, signature(secret, specOf(table, keys), payload)...)
	return base64.RawURLEncoding.EncodeToString(signed)
}
