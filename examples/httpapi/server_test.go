package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestRequestTimeout checks that a request whose deadline has passed is
// answered 503 in the API's error shape, and that nothing it did remains.
func TestRequestTimeout(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{RequestTimeout: time.Nanosecond})
		a.do("POST", "/authors", CreateAuthorRequest{Name: "Ada", Email: "ada@example.com"}).wantError(t, 503, "timeout")
		if n := a.count(&Author{}); n != 0 {
			t.Errorf("%d authors after a timed-out request, want 0", n)
		}
	})
}

// TestGracefulShutdown starts the real server, cancels its context while a
// request is in flight, and checks that the request is still answered and
// that the server then stops cleanly.
func TestGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "done")
	})}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- runServer(ctx, srv, ln) }()

	answered := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		answered <- string(body)
	}()
	<-entered
	cancel() // as SIGTERM would
	close(release)
	if got := <-answered; got != "done" {
		t.Errorf("in-flight request got %q, want %q", got, "done")
	}
	if err := <-stopped; err != nil {
		t.Errorf("runServer returned %v, want nil after a graceful shutdown", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
}

// TestRunServerReportsListenFailure checks that a server that cannot serve
// returns its error instead of waiting for a signal.
func TestRunServerReportsListenFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = ln.Close()
	err = runServer(context.Background(), &http.Server{}, ln)
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Errorf("runServer on a closed listener returned %v, want the accept error", err)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"Title": "title", "AuthorID": "author_id", "ID": "id", "EntityID": "entity_id",
		"TitleIContains": "title_i_contains", "HTTPStatus": "http_status", "": "",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPlainErrorsBecomeJSON checks the adapter that gives txctx.Middleware's
// plain-text failures (a failed commit: 500, a serialization failure: 409)
// the API's error shape, and leaves other responses alone.
func TestPlainErrorsBecomeJSON(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		code    string
	}{
		{"commit failed", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "internal server error", http.StatusInternalServerError)
		}, 500, "internal"},
		{"serialization failure", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "conflict", http.StatusConflict) }, 409, "conflict"},
		{"JSON error passes", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, &APIError{Status: 404, Code: "not_found", Message: "x"})
		}, 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(withPlainErrorsAsJSON(c.handler))
			defer srv.Close()
			a := &api{t: t, srv: srv}
			a.do("GET", "/", nil).wantError(t, c.status, c.code)
		})
	}
	srv := httptest.NewServer(withPlainErrorsAsJSON(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "plain and fine")
	})))
	defer srv.Close()
	if res := (&api{t: t, srv: srv}).do("GET", "/", nil); res.status != 200 || string(res.body) != "plain and fine" {
		t.Errorf("a plain 200 became %d %q", res.status, res.body)
	}
}

// TestPanicBecomesLogged500 checks the recovery and logging middleware: a
// panicking handler answers 500 in the API's shape, and both the panic and
// the request are logged.
func TestPanicBecomesLogged500(t *testing.T) {
	var logs strings.Builder
	s := &server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	h := s.withLogging(s.withRecovery(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	srv := httptest.NewServer(h)
	defer srv.Close()
	(&api{t: t, srv: srv}).do("GET", "/x", nil).wantError(t, http.StatusInternalServerError, "internal")
	for _, want := range []string{`msg="panic in handler" panic=boom path=/x`, `msg=request method=GET path=/x status=500`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
