package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// maxBodyBytes bounds the size of a request body.
const maxBodyBytes = 1 << 20

// writeJSON writes v as the JSON body of a response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes e in the API's error shape.
func writeError(w http.ResponseWriter, e *APIError) {
	writeJSON(w, e.Status, ErrorBody{Error: *e})
}

// fail answers a request with the error err maps to; an error the API does
// not know is logged and answered with a 500 that reveals nothing.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apiError(err)
	if e == nil {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
		e = errInternal
	}
	writeError(w, e)
}

// decodeJSON reads a request body of one JSON object into dst, a pointer
// to a request struct. A body not sent as application/json is refused with
// a 415: the types a browser may send cross-site without a preflight
// (text/plain, forms) never reach a handler. Invalid UTF-8, unknown fields,
// trailing data and bodies over maxBodyBytes are refused with a 400 (JSON
// decoding alone would store invalid UTF-8 as U+FFFD); text holding a NUL
// byte with a 422 (see checkText).
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return badRequest("invalid_body", fmt.Sprintf("the request body could not be read (at most %d bytes): %v", maxBodyBytes, err))
	}
	if !utf8.Valid(body) {
		return badRequest("invalid_body", "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badRequest("invalid_body", "the request body is not the JSON object expected: "+describeJSONError(err))
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return badRequest("invalid_body", "the request body must hold exactly one JSON object")
	}
	return checkText(dst)
}

// checkJSONType refuses a request body whose Content-Type is not
// application/json (parameters such as charset=utf-8 allowed).
func checkJSONType(r *http.Request) error {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && mediaType == "application/json" {
		return nil
	}
	return &APIError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
		Message: "send the request body as JSON with Content-Type: application/json"}
}

// checkText refuses the string fields of the request struct dst that hold
// a NUL byte: PostgreSQL cannot store one in a text column, and no client
// has a good reason to send one. The 422 names each such field.
func checkText(dst any) error {
	v := reflect.Indirect(reflect.ValueOf(dst))
	var bad []FieldError
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		if f.Kind() == reflect.String && strings.IndexByte(f.String(), 0) >= 0 {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			bad = append(bad, FieldError{Field: name, Rule: "no_nul"})
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &APIError{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
		Message: "text fields must not contain NUL bytes: see fields", Fields: bad}
}

// describeJSONError says what is wrong with a body without echoing it.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a JSON %s", typ.Field, typ.Type.Kind())
	case errors.As(err, &tooBig):
		return fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "malformed JSON"
}

// pathID reads the {id} of the route as a UUID.
func pathID(r *http.Request) (uuid.UUID, error) {
	raw := r.PathValue("id")
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, badRequest("invalid_parameter", fmt.Sprintf("id: %.40q is not a UUID", raw))
	}
	return id, nil
}
