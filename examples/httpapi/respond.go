package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"

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

// pathID reads the {id} of the route as a UUID.
func pathID(r *http.Request) (uuid.UUID, error) {
	raw := r.PathValue("id")
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, badRequest("invalid_parameter", fmt.Sprintf("id: %.40q is not a UUID", raw))
	}
	return id, nil
}
