package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeJSON reads a request body of one JSON object into dst, a pointer
// to a request struct. A body not sent as application/json is refused with
// a 415: the types a browser may send cross-site without a preflight
// (text/plain, forms) never reach a handler. Any other body that is not
// the object expected is a 400 "invalid_body" (see bodyError) whose rule
// and message say what is wrong in the client's terms: an empty body, one
// over maxBodyBytes, invalid UTF-8 (JSON decoding alone would store it as
// U+FFFD), a syntax error with its line, column and byte and what was
// expected there, data after the object, something else than an object,
// and each field of the wrong type, unknown (names are matched exactly,
// not ignoring case) or given twice, with its path (author.id, tags[1]).
// Text holding a NUL byte is a 422 (see checkText).
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if err := checkSyntax(body); err != nil {
		return err
	}
	if err := checkShape(body, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil { // not expected once checkShape passed
		return bodyError("invalid", "the request body does not hold the object expected")
	}
	return checkText(dst)
}

// bodyError is a 400 "invalid_body" about the body as a whole.
func bodyError(rule, message string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "invalid_body", Rule: rule, Message: message}
}

// readBody reads at most maxBodyBytes of valid UTF-8 that is not blank.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, bodyError("too_large", fmt.Sprintf("the request body must be at most %d bytes (%d MiB)", tooBig.Limit, tooBig.Limit>>20))
	case err != nil:
		return nil, bodyError("unreadable", "the request body could not be read: send it again")
	case len(bytes.TrimSpace(body)) == 0:
		return nil, bodyError("empty", "the request body is empty: send a JSON object")
	case !utf8.Valid(body):
		return nil, bodyError("utf8", "the request body must be valid UTF-8 text")
	}
	return body, nil
}

// checkSyntax refuses a body that is not one JSON value, saying where and
// what was expected there.
func checkSyntax(body []byte) error {
	var raw json.RawMessage
	err := json.Unmarshal(body, &raw)
	var syntax *json.SyntaxError
	if err == nil || !errors.As(err, &syntax) {
		return nil
	}
	if syntax.Offset >= int64(len(body)) && strings.HasPrefix(syntax.Error(), "unexpected end") {
		line, column := position(body, len(body))
		return bodyError("syntax", fmt.Sprintf("the request body is not valid JSON: it ends too early, at line %d, column %d (byte %d): "+
			"close every string, object and list", line, column, len(body)))
	}
	at := int(syntax.Offset) - 1 // the offset counts the byte at fault
	line, column := position(body, at)
	if strings.HasSuffix(syntax.Error(), "after top-level value") {
		return bodyError("trailing_data", fmt.Sprintf("the request body must hold one JSON object and nothing after it "+
			"(found %s at line %d, column %d, byte %d)", foundAt(body, at), line, column, at))
	}
	return bodyError("syntax", fmt.Sprintf("the request body is not valid JSON at line %d, column %d (byte %d): expected %s, found %s",
		line, column, at, expected(syntax.Error()), foundAt(body, at)))
}

// position returns the line and column of byte at of body, counting from
// 1, columns in characters.
func position(body []byte, at int) (line, column int) {
	before := body[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	column = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, column
}

// foundAt quotes the character at byte at of body.
func foundAt(body []byte, at int) string {
	r, _ := utf8.DecodeRune(body[at:])
	return strconv.Quote(string(r))
}

// syntaxExpectations map the context of encoding/json's syntax errors
// ("invalid character 'x' <context>") to what the body must hold there.
var syntaxExpectations = []struct{ context, expected string }{
	{"looking for beginning of object key string", "a field name in double quotes"},
	{"looking for beginning of value", "a value (an object, a list, a string in double quotes, a number, true, false or null)"},
	{"after object key:value pair", `"," or "}" after a field's value`},
	{"after object key", `":" after the field name`},
	{"after array element", `"," or "]" after a list item`},
	{"in string escape code", `\", \\, \/, \b, \f, \n, \r, \t or \uXXXX after a backslash in a string`},
	{"hexadecimal character escape", `four hexadecimal digits after \u`},
	{"in string literal", `no control character in a string (write it escaped, like \n)`},
	{"numeric literal", "a digit in the number"},
	{"in literal true", "true"},
	{"in literal false", "false"},
	{"in literal null", "null"},
	{"exceeded max depth", "at most 10000 nested objects and lists"},
}

// expected says what the body must hold where encoding/json found the
// syntax error msg.
func expected(msg string) string {
	for _, e := range syntaxExpectations {
		if strings.Contains(msg, e.context) {
			return e.expected
		}
	}
	return "valid JSON"
}
