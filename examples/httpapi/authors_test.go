package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

func TestCreateAndGetAuthor(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		ada := a.createAuthor("Ada Lovelace", "ada@example.com")
		if ada.ID.Version() != 7 || ada.CreatedAt.IsZero() || ada.Name != "Ada Lovelace" {
			t.Fatalf("created %+v: want a UUIDv7 id, a creation time and the name", ada)
		}
		var got Author
		a.do("GET", "/authors/"+ada.ID.String(), nil).want(t, http.StatusOK, &got)
		if got != ada {
			t.Errorf("GET returned %+v, want %+v", got, ada)
		}
	})
}

func TestCreateAuthorErrors(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		a.createAuthor("Ada", "ada@example.com")
		cases := []struct {
			name   string
			body   any
			status int
			code   string
			fields []string
		}{
			{"duplicate e-mail", CreateAuthorRequest{Name: "Other Ada", Email: "ada@example.com"}, 409, "conflict", []string{"email"}},
			{"missing name", CreateAuthorRequest{Email: "x@example.com"}, 422, "validation_failed", []string{"name"}},
			{"bad e-mail", CreateAuthorRequest{Name: "X", Email: "not an e-mail"}, 422, "validation_failed", []string{"email"}},
			{"both bad", CreateAuthorRequest{Name: strings.Repeat("n", 101), Email: ""}, 422, "validation_failed", []string{"name", "email"}},
			{"NUL in the e-mail", CreateAuthorRequest{Name: "X", Email: "x\x00@example.com"}, 422, "validation_failed", []string{"email"}},
			{"malformed JSON", `{"name": "X",`, 400, "invalid_body", nil},
			{"not an object", `["X"]`, 400, "invalid_body", nil},
			{"empty body", ``, 400, "invalid_body", nil},
			{"unknown field", `{"name": "X", "email": "x@example.com", "id": "00000000-0000-0000-0000-000000000001"}`, 400, "invalid_body", nil},
			{"wrong type", `{"name": 42, "email": "x@example.com"}`, 400, "invalid_body", nil},
			{"two objects", `{"name": "X", "email": "x@example.com"} {}`, 400, "invalid_body", nil},
			{"body too large", `{"name": "` + strings.Repeat("x", maxBodyBytes) + `", "email": "x@example.com"}`, 400, "invalid_body", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := a.do("POST", "/authors", c.body).wantError(t, c.status, c.code)
				if c.fields != nil {
					wantFields(t, e, c.fields...)
				}
			})
		}
		if n := a.count(&Author{}); n != 1 {
			t.Errorf("%d authors in the table after the failed requests, want 1", n)
		}
		if n := a.count(&AuditEntry{}); n != 1 {
			t.Errorf("%d audit entries after the failed requests, want 1 (rolled back with them)", n)
		}
	})
}

func TestGetAuthorErrors(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		a.do("GET", "/authors/"+uuid.NewString(), nil).wantError(t, 404, "not_found")
		for _, id := range []string{"42", "not-a-uuid", "'%20OR%201=1--", strings.Repeat("f", 2000), "%00"} {
			a.do("GET", "/authors/"+id, nil).wantError(t, 400, "invalid_parameter")
		}
	})
}

// wantFields fails unless the error lists exactly the named fields.
func wantFields(t *testing.T, e APIError, fields ...string) {
	t.Helper()
	got := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		got[i] = f.Field
		if f.Rule == "" {
			t.Errorf("field %q without a rule", f.Field)
		}
	}
	if strings.Join(got, ",") != strings.Join(fields, ",") {
		t.Errorf("failing fields %v, want %v", got, fields)
	}
}
