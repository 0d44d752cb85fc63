package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequestBody feeds arbitrary bytes to the service's body decoder, as
// the body of POST /articles and of PATCH /articles/{id}: it must never
// panic; a body it accepts holds no NUL byte in any text field; a body it
// refuses gets a 4xx *APIError whose message is bounded (it does not echo
// the input) and, for a 400, names a rule, and the first field at fault
// when fields are, and says nothing of Go (type or struct names, "json:").
func FuzzRequestBody(f *testing.F) {
	for _, seed := range []string{
		`{"author_id":"0190d9b2-7c1e-7000-8000-000000000001","title":"Go","body":"x","status":"draft"}`,
		`{"version":1,"title":"x"}`, `{"version":1,"body":"\u0000"}`, "", "{", "[]", "null", `{"title":"a"}{}`,
		`{"titel":"a"}`, `{"version":1e400}`, "{\"title\":\"\xff\"}", `{"author_id":"not-a-uuid"}`,
		`{"author_id":12,"title":[1],"version":"1","Title":"x","title":"y"}`, "{\n\"title\" 1}", `{"version":-1e5}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var create CreateArticleRequest
		err := decodeBody(body, &create)
		if err == nil && strings.IndexByte(create.Title+create.Body+create.Status, 0) >= 0 {
			t.Fatalf("accepted an article with a NUL byte: %q", body)
		}
		checkRefusal(t, body, err)
		var update UpdateArticleRequest
		err = decodeBody(body, &update)
		if err == nil {
			for _, s := range []*string{update.Title, update.Body, update.Status} {
				if s != nil && strings.IndexByte(*s, 0) >= 0 {
					t.Fatalf("accepted an update with a NUL byte: %q", body)
				}
			}
		}
		checkRefusal(t, body, err)
	})
}

// FuzzPathID feeds arbitrary path values to the {id} parser.
func FuzzPathID(f *testing.F) {
	for _, seed := range []string{"0190d9b2-7c1e-7000-8000-000000000001", "", "123", "' OR 1=1 --", "\x00", "\xff", strings.Repeat("a", 1000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/articles/x", nil)
		r.SetPathValue("id", raw)
		if _, err := pathID(r); err != nil {
			checkRefusal(t, []byte(raw), err)
		} else if len(raw) > len("urn:uuid:")+36 {
			t.Fatalf("accepted an id of %d bytes: %q", len(raw), raw)
		}
	})
}

// decodeBody runs decodeJSON on body as a request's body.
func decodeBody(body []byte, dst any) error {
	r := httptest.NewRequest("POST", "/articles", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return decodeJSON(httptest.NewRecorder(), r, dst)
}

// checkRefusal checks that a non-nil err is a 4xx *APIError with a short
// message.
func checkRefusal(t *testing.T, input []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var api *APIError
	if !errors.As(err, &api) {
		t.Fatalf("%q: error %v is not an *APIError", input, err)
	}
	if api.Status < http.StatusBadRequest || api.Status > 499 || api.Code == "" || api.Message == "" {
		t.Fatalf("%q: refused with %+v, want a 4xx with a code and a message", input, api)
	}
	if len(api.Message) > 300 {
		t.Fatalf("%q: message of %d bytes: it echoes the input", input, len(api.Message))
	}
	if api.Code != "invalid_body" {
		return
	}
	if api.Rule == "" || len(api.Fields) > 5 || len(api.Fields) > 0 && (api.Field != api.Fields[0].Field || api.Rule != api.Fields[0].Rule) {
		t.Fatalf("%q: refused with %+v, want a rule, and the first of the fields listed", input, api)
	}
	for _, msg := range append([]string{api.Message}, fieldMessages(api.Fields)...) {
		if leak := goBodyLeak(msg); leak != "" || len(msg) > 300 {
			t.Fatalf("%q: message %q speaks of Go (%q) or is too long", input, msg, leak)
		}
	}
}
