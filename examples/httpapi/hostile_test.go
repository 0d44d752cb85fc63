package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/pagination"
)

// hostile is one malformed or malicious request.
type hostile struct {
	name   string
	method string
	path   string // already escaped
	ctype  string // "" means application/json
	body   []byte
}

// sqlPayloads are put in every query parameter.
var sqlPayloads = []string{"' OR '1'='1' --", "1; DROP TABLE articles", "(SELECT 1)"}

// hostileRequests lists the requests of TestHostileInput: art is an
// article that exists, cursor a valid cursor of the feed.
func hostileRequests(art Article, cursor string) []hostile {
	id := art.ID.String()
	get := func(name, path string) hostile { return hostile{name: name, method: "GET", path: path} }
	send := func(name, method, path, body string) hostile {
		return hostile{name: name, method: method, path: path, body: []byte(body)}
	}
	var hs []hostile

	// SQL in every query parameter that is not free text.
	params := map[string][]string{
		"/articles":      {"author_id", "status_in", "created_from", "created_before", "sort", "page", "page_size", "id"},
		"/articles/feed": {"author_id", "status_in", "created_from", "sort", "after", "before", "limit"},
		"/audit":         {"entity_id", "page", "page_size", "sort"},
	}
	for _, route := range []string{"/articles", "/articles/feed", "/audit"} {
		for _, p := range params[route] {
			for _, sql := range sqlPayloads {
				hs = append(hs, get("sql in "+route+" "+p, route+"?"+p+"="+url.QueryEscape(sql)))
			}
		}
	}

	// Sort specs the allow-list refuses after decoding.
	for _, q := range []string{"sort=passwd", "sort=-passwd", "sort=title,title", "sort=title:nullsup", "sort=title,,status",
		"sort=" + strings.Repeat("title,", 50), "sort=title,status,created_at,updated_at,id", "sort=" + url.QueryEscape("title:nullsfirst;DROP TABLE articles")} {
		hs = append(hs, get("sort "+q[:min(len(q), 40)], "/articles?"+q), get("feed sort "+q[:min(len(q), 40)], "/articles/feed?"+q))
	}
	hs = append(hs, get("sort audit passwd", "/audit?sort=passwd"))

	// Oversized, negative and malformed numbers.
	for _, q := range []string{"page=-1", "page=0", "page=9223372036854775808", "page=1.5", "page=1e3",
		"page_size=-5", "page_size=1000000000", "page_size=%20", "page_size=101", "page=9223372036854775807&page_size=100"} {
		hs = append(hs, get("number "+q, "/articles?"+q))
	}
	hs = append(hs, get("number audit page_size=101", "/audit?page_size=101"))
	for _, q := range []string{"limit=-1", "limit=99999999999999999999", "limit=0x10", "limit=101"} {
		hs = append(hs, get("number "+q, "/articles/feed?"+q))
	}
	for _, v := range []string{"-1", "0", "9223372036854775808", "1e400", `"1"`, "1.5", "null"} {
		hs = append(hs, send("version "+v, "PATCH", "/articles/"+id, `{"version":`+v+`,"title":"x"}`))
	}

	// Invalid UUIDs, in paths, queries and bodies.
	for _, p := range []string{"123", "zzz", "00000000-0000-0000-0000-00000000000g", url.PathEscape("' OR 1=1 --"), "%ff%fe", "%00",
		strings.Repeat("a", 5000)} {
		hs = append(hs, get("uuid path "+p[:min(len(p), 20)], "/articles/"+p))
	}
	hs = append(hs,
		get("uuid author path", "/authors/not-a-uuid"),
		send("uuid delete path", "DELETE", "/articles/"+id+"x", ""),
		send("uuid patch path", "PATCH", "/articles/"+id[:35], `{"version":1,"title":"x"}`),
		send("uuid in body", "POST", "/articles", `{"author_id":"not-a-uuid","title":"x"}`),
		send("uuid of nobody", "POST", "/articles", `{"author_id":"`+art.ID.String()+`","title":"x"}`),
		send("uuid as number", "POST", "/articles", `{"author_id":12,"title":"x"}`),
	)

	// Invalid JSON bodies.
	for i, b := range []string{"", "{", "[]", `"text"`, "nul", `{"title": 1}`, `{"title":"a"}{"title":"b"}`,
		`{"title":"a",}`, `{"titel":"a"}`, `{"title":"a","id":"` + id + `"}`, `{"author_id":"` + art.AuthorID.String() + `","title":"a","version":7}`,
		strings.Repeat("[", 100000) + strings.Repeat("]", 100000), `{"title":"\ud800"`} {
		hs = append(hs, send(fmt.Sprintf("json %d", i), "POST", "/articles", b))
	}
	hs = append(hs,
		send("json patch unknown field", "PATCH", "/articles/"+id, `{"version":1,"author_id":"`+art.AuthorID.String()+`"}`),
		send("json patch nothing", "PATCH", "/articles/"+id, `{"version":1}`),
		send("json author array", "POST", "/authors", `[{"name":"a","email":"a@example.com"}]`),
	)

	// Huge bodies: one string over the 1 MiB limit, and a long stream.
	hs = append(hs,
		send("huge title", "POST", "/articles", `{"author_id":"`+art.AuthorID.String()+`","title":"`+strings.Repeat("x", 2<<20)+`"}`),
		send("huge padding", "PATCH", "/articles/"+id, `{"version":1,"title":"x"}`+strings.Repeat(" ", 2<<20)+"{}"),
		send("title over max", "POST", "/articles", `{"author_id":"`+art.AuthorID.String()+`","title":"`+strings.Repeat("x", 201)+`"}`),
		send("body over max", "PATCH", "/articles/"+id, `{"version":1,"body":"`+strings.Repeat("x", 100001)+`"}`),
	)

	// Pairs url.ParseQuery would drop: unencoded semicolons, bad escapes.
	for _, q := range []string{"/articles?title_icontains=x;y", "/articles?sort=title;DROP+TABLE+articles", "/articles?page=1;2",
		"/articles?;", "/articles?title_icontains=%zz", "/articles/feed?after=x;y", "/audit?action=%"} {
		hs = append(hs, get("malformed query "+q, q))
	}

	// Invalid UTF-8 and NUL bytes in queries, paths and bodies.
	hs = append(hs,
		get("utf8 query", "/articles?title_icontains=%ff%fe"),
		get("utf8 audit action", "/audit?action=%c3%28"),
		get("nul query", "/articles?title_icontains=a%00b"),
		get("nul audit action", "/audit?action=%00"),
		send("nul title", "POST", "/articles", `{"author_id":"`+art.AuthorID.String()+`","title":"a\u0000b"}`),
		send("nul patch", "PATCH", "/articles/"+id, `{"version":1,"body":"\u0000"}`),
		send("nul email", "POST", "/authors", `{"name":"n","email":"a\u0000@example.com"}`),
		send("sql email", "POST", "/authors", `{"name":"n","email":"x' OR 1=1 --"}`),
		send("status not allowed", "PATCH", "/articles/"+id, `{"version":1,"status":"archived' --"}`),
	)

	// Tampered cursors.
	flipped := []byte(cursor)
	flipped[len(flipped)/2] ^= 1
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"v":["' OR 1=1 --"],"t":0}`))
	for name, c := range map[string]string{
		"flipped": string(flipped), "truncated": cursor[:len(cursor)/2], "extended": cursor + "AA",
		"forged": forged, "forged with the old signature": forged + cursor[len(cursor)-43:],
		"not base64": "!!!***", "padded": cursor + "==", "huge": strings.Repeat("A", 100000),
	} {
		hs = append(hs, get("cursor "+name, "/articles/feed?after="+url.QueryEscape(c)))
	}
	hs = append(hs,
		get("cursor other sort", "/articles/feed?sort=-title&after="+url.QueryEscape(cursor)),
		get("cursor both ways", "/articles/feed?after="+url.QueryEscape(cursor)+"&before="+url.QueryEscape(cursor)),
		get("cursor as before", "/articles/feed?before="+url.QueryEscape(cursor[:len(cursor)-4])),
		get("cursor over the limit", "/articles/feed?after="+strings.Repeat("A", 4097)),
		get("cursor on the offset listing", "/articles?after="+url.QueryEscape(cursor)),
	)

	// Wrong methods, routes and content types.
	for _, m := range []struct{ method, path string }{
		{"PUT", "/articles"}, {"DELETE", "/articles"}, {"POST", "/articles/" + id}, {"PUT", "/articles/" + id},
		{"PATCH", "/authors/" + id}, {"DELETE", "/audit"}, {"POST", "/audit"}, {"GET", "/admin"}, {"GET", "/articles/" + id + "/author"},
	} {
		hs = append(hs, hostile{name: "method " + m.method + " " + m.path, method: m.method, path: m.path})
	}
	for _, c := range []struct{ ctype, body string }{
		{"application/x-www-form-urlencoded", "author_id=" + art.AuthorID.String() + "&title=x"},
		{"text/xml", "<article><title>x</title></article>"},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--x--"},
		{"text/plain", `{"author_id":"` + art.AuthorID.String() + `","title":"cross-site"}`},
		{"application/json", "{\"author_id\":\"" + art.AuthorID.String() + "\",\"title\":\"\xff\xfe\"}"},
	} {
		hs = append(hs, hostile{name: "content type " + c.ctype, method: "POST", path: "/articles", ctype: c.ctype, body: []byte(c.body)})
	}
	return hs
}

// TestHostileInput sends every request of hostileRequests to the service
// over HTTP: each must be answered with a 4xx in the API's JSON error
// shape, no table may change, and the service must serve a normal request
// afterwards. Free-text filters are tested apart: SQL there is data, found
// nowhere.
func TestHostileInput(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{CursorKey: []byte("a test key of at least thirty-two bytes")})
		seedListing(t, a)
		var page pagination.CursorPage[Article]
		a.do("GET", "/articles/feed?limit=1", nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 1 || page.NextCursor == "" {
			t.Fatalf("feed page %+v: want one article and a next cursor", page)
		}
		art := page.Items[0]
		before := checksums(t, db)

		hs := hostileRequests(art, page.NextCursor)
		if len(hs) < 50 {
			t.Fatalf("%d hostile requests, want at least 50", len(hs))
		}
		statuses := map[int]int{}
		for _, h := range hs {
			r := a.raw(h)
			statuses[r.status]++
			if err := wantClientError(h, r); err != nil {
				t.Errorf("%s (%s %.80s): %v", h.name, h.method, h.path, err)
			}
		}
		t.Logf("%d hostile requests: statuses %v", len(hs), statuses)

		for _, route := range []string{"/articles?title_icontains=", "/audit?action="} {
			for _, sql := range sqlPayloads {
				var p pagination.Paginated[map[string]any]
				a.do("GET", route+url.QueryEscape(sql), nil).want(t, http.StatusOK, &p)
				if p.Total != 0 || len(p.Items) != 0 {
					t.Errorf("%s%q: %d rows, want none (the text is data)", route, sql, p.Total)
				}
			}
		}

		if after := checksums(t, db); !maps.Equal(after, before) {
			t.Errorf("tables changed by hostile requests:\nbefore %v\nafter  %v", before, after)
		}
		var got Article
		a.do("GET", "/articles/"+art.ID.String(), nil).want(t, http.StatusOK, &got)
		a.createArticle(CreateArticleRequest{AuthorID: art.AuthorID, Title: "still serving"})
	})
}

// raw sends h as it is and returns the response.
func (a *api) raw(h hostile) response {
	a.t.Helper()
	req, err := http.NewRequest(h.method, a.srv.URL+h.path, bytes.NewReader(h.body))
	if err != nil {
		a.t.Fatalf("%s: %v", h.name, err)
	}
	ctype := h.ctype
	if ctype == "" {
		ctype = "application/json"
	}
	req.Header.Set("Content-Type", ctype)
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s: %v", h.name, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatalf("%s: reading the response: %v", h.name, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// wantClientError says how r, the answer to h, differs from a 4xx in the
// API's error shape. A 400 invalid_parameter for a query string names a
// parameter of it and a rule, and no message of it speaks of Go.
func wantClientError(h hostile, r response) error {
	if r.status < 400 || r.status > 499 {
		return fmt.Errorf("status %d, want 4xx; body %.200s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("Content-Type %q, want application/json", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	var body ErrorBody
	if err := dec.Decode(&body); err != nil {
		return fmt.Errorf("body %.200s is not the error shape: %v", r.body, err)
	}
	if body.Error.Status != r.status || body.Error.Code == "" || body.Error.Message == "" {
		return fmt.Errorf("error body %.200s: want status %d, a code and a message", r.body, r.status)
	}
	if len(r.body) > 2000 {
		return fmt.Errorf("error body of %d bytes: it echoes the input", len(r.body))
	}
	if body.Error.Code == "invalid_body" {
		if leak := goBodyLeak(body.Error.Message); leak != "" || body.Error.Rule == "" {
			return fmt.Errorf("message %q speaks of Go (%q) or has no rule", body.Error.Message, leak)
		}
		return nil
	}
	if body.Error.Code != "invalid_parameter" {
		return nil
	}
	for _, msg := range append([]string{body.Error.Message}, paramMessages(body.Error.Params)...) {
		if leak := goTerms.FindString(msg); leak != "" {
			return fmt.Errorf("message %q speaks of Go: %q", msg, leak)
		}
	}
	return wantParamOf(h, body.Error)
}

// wantParamOf checks that e, the invalid_parameter answer to a request
// with a query string, names one of its parameters and a rule. A pair
// url.ParseQuery drops (an unencoded ";", a bad escape) is looked for in
// the raw query.
func wantParamOf(h hostile, e APIError) error {
	_, query, ok := strings.Cut(h.path, "?")
	if !ok {
		return nil // a path parameter
	}
	values, _ := url.ParseQuery(query)
	_, sent := values[e.Param]
	if !sent {
		sent = e.Param != "" && strings.Contains(query, e.Param)
	}
	if !sent || e.Rule == "" || len(e.Params) == 0 {
		return fmt.Errorf("param %q rule %q params %d: want a parameter of the query, a rule and params", e.Param, e.Rule, len(e.Params))
	}
	return nil
}

func paramMessages(ps []ParamProblem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Message
	}
	return out
}

// checksums returns a SHA-256 of every row of every table of the service.
func checksums(t *testing.T, db *gorm.DB) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, m := range Models() {
		var rows []map[string]any
		if err := db.Model(m).Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, row := range rows {
			fmt.Fprintf(h, "%v\n", row)
		}
		sums[fmt.Sprintf("%T(%d rows)", m, len(rows))] = hex.EncodeToString(h.Sum(nil))[:16]
	}
	return sums
}
