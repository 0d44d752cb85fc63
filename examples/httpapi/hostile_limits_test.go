package main

import (
	"maps"
	"net/http"
	"testing"

	"gorm.io/gorm"
)

// TestHostileInputKnownLimitations holds the hostile requests the service
// accepts today although it should refuse them, each with the entry of
// docs/reliability.md that explains it. The assertion is skipped only while
// the service still accepts the request: once it refuses it, the case
// passes, and the skip and the entry can go.
func TestHostileInputKnownLimitations(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada", "ada@example.com")
		author := ada.ID.String()
		cases := []struct {
			name, ref string
			h         hostile
		}{
			{"JSON sent as text/plain", "H1", hostile{method: "POST", path: "/articles", ctype: "text/plain",
				body: []byte(`{"author_id":"` + author + `","title":"cross-site"}`)}},
			{"invalid UTF-8 in a JSON string", "H2", hostile{method: "POST", path: "/articles",
				body: []byte("{\"author_id\":\"" + author + "\",\"title\":\"\xff\xfe\"}")}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.h.name = c.name
				before := checksums(t, db)
				r := a.raw(c.h)
				if r.status == http.StatusCreated {
					t.Skipf("known limitation %s (docs/reliability.md, Hostile input): answered %d and stored: %.200s", c.ref, r.status, r.body)
				}
				if err := wantClientError(r); err != nil {
					t.Error(err)
				}
				if after := checksums(t, db); !maps.Equal(before, after) {
					t.Errorf("tables changed: before %v, after %v", before, after)
				}
			})
		}
	})
}
