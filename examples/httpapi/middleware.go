package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// withTimeout gives each request's context a deadline: queries still
// running when it passes are cancelled and the transaction rolls back.
func withTimeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// withRecovery turns a panic in a handler into a logged 500. It sits
// outside txctx.Middleware, which rolls the transaction back and re-panics.
func (s *server) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic in handler", slog.Any("panic", v), slog.String("path", r.URL.Path))
			writeError(w, errInternal)
		}()
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status written and passes it on.
func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write records an implicit 200 and passes the bytes on.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// withLogging writes one structured log line per request.
func (s *server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)))
	})
}

// withPlainErrorsAsJSON gives the plain-text errors that come from outside
// the handlers (txctx.Middleware answering a failed BEGIN or COMMIT with
// http.Error) the API's JSON error shape, so that clients see one shape
// whatever failed. Responses that are already JSON pass untouched.
func withPlainErrorsAsJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&plainErrorWriter{ResponseWriter: w, r: r}, r)
	})
}

// plainErrorWriter rewrites a plain-text error response into an ErrorBody.
type plainErrorWriter struct {
	http.ResponseWriter
	r         *http.Request
	rewritten bool
}

// WriteHeader replaces a plain-text error status with the API's error.
func (p *plainErrorWriter) WriteHeader(status int) {
	if status < 400 || !strings.HasPrefix(p.Header().Get("Content-Type"), "text/plain") {
		p.ResponseWriter.WriteHeader(status)
		return
	}
	p.rewritten = true
	p.Header().Del("Content-Length")
	p.Header().Del("X-Content-Type-Options")
	writeError(p.ResponseWriter, transactionError(p.r.Context(), status))
}

// Write drops the plain-text body of a rewritten response.
func (p *plainErrorWriter) Write(b []byte) (int, error) {
	if p.rewritten {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (p *plainErrorWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// transactionError is what the client sees when the request's transaction
// failed to begin or commit.
func transactionError(ctx context.Context, status int) *APIError {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return errTimeout
	case status == http.StatusConflict:
		return &APIError{Status: status, Code: "conflict", Message: "the request conflicted with a concurrent one and was rolled back: send it again"}
	}
	return errInternal
}
