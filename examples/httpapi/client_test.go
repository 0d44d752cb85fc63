package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"gorm.io/gorm"
)

// api is a test client for one server on one database.
type api struct {
	t   *testing.T
	srv *httptest.Server
	db  *gorm.DB
}

// newAPI starts the service on db behind an httptest server, closed at
// cleanup.
func newAPI(t *testing.T, db *gorm.DB, cfg Config) *api {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	srv := httptest.NewServer(NewServer(db, cfg))
	t.Cleanup(srv.Close)
	return &api{t: t, srv: srv, db: db}
}

// response is what a request returned.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with body (marshalled to JSON unless it is a string or
// nil) and returns the response.
func (a *api) do(method, path string, body any) response {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// want fails the test unless the response has the status, and decodes its
// body into out when out is not nil.
func (r response) want(t *testing.T, status int, out any) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("decoding %s: %v", r.body, err)
		}
	}
	return r
}

// wantError fails the test unless the response is an error of the API's
// one shape with the status and code, and returns it.
func (r response) wantError(t *testing.T, status int, code string) APIError {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var body ErrorBody
	r.want(t, status, &body)
	if body.Error.Status != status || body.Error.Code != code || body.Error.Message == "" {
		t.Fatalf("error body %s, want status %d and code %q with a message", r.body, status, code)
	}
	return body.Error
}

// createAuthor creates an author and returns it.
func (a *api) createAuthor(name, email string) Author {
	a.t.Helper()
	var out Author
	a.do("POST", "/authors", CreateAuthorRequest{Name: name, Email: email}).want(a.t, http.StatusCreated, &out)
	return out
}

// createArticle creates an article and returns it.
func (a *api) createArticle(req CreateArticleRequest) Article {
	a.t.Helper()
	var out Article
	a.do("POST", "/articles", req).want(a.t, http.StatusCreated, &out)
	return out
}

// count returns the number of rows of model in the database.
func (a *api) count(model any) int64 {
	a.t.Helper()
	var n int64
	if err := a.db.Model(model).Count(&n).Error; err != nil {
		a.t.Fatal(err)
	}
	return n
}
