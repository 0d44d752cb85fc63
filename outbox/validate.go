package outbox

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what Add accepts.
const (
	// MaxTopicLen is the longest topic, in bytes (an AMQP routing key's
	// limit).
	MaxTopicLen = 255
	// MaxKeyLen is the longest key or message ID, in bytes.
	MaxKeyLen = 255
	// MaxHeadersSize bounds the headers, names and values together, in
	// bytes.
	MaxHeadersSize = 64 << 10
	// DefaultMaxPayload is the largest payload Add accepts unless
	// WithMaxPayload says otherwise: 1 MiB.
	DefaultMaxPayload = 1 << 20
)

// validate checks what Add is given, before anything is stored.
func validate(msg *Message, maxPayload int) error {
	if err := validTopic(msg.Topic); err != nil {
		return err
	}
	if err := validKey("key", msg.Key); err != nil {
		return err
	}
	if err := validKey("message ID", msg.ID); err != nil {
		return err
	}
	if len(msg.Payload) > maxPayload {
		return fmt.Errorf("%w: %d bytes, the limit is %d (WithMaxPayload)", ErrPayloadTooLarge, len(msg.Payload), maxPayload)
	}
	return validHeaders(msg.Headers)
}

func validTopic(topic string) error {
	switch {
	case topic == "":
		return fmt.Errorf("%w: empty", ErrInvalidTopic)
	case len(topic) > MaxTopicLen:
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrInvalidTopic, len(topic), MaxTopicLen)
	case !utf8.ValidString(topic):
		return fmt.Errorf("%w: %q is not UTF-8", ErrInvalidTopic, topic)
	case strings.IndexFunc(topic, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("%w: %q holds a space or a control character", ErrInvalidTopic, topic)
	}
	return nil
}

func validKey(what, key string) error {
	switch {
	case len(key) > MaxKeyLen:
		return fmt.Errorf("%w: %s of %d bytes, the limit is %d", ErrInvalidKey, what, len(key), MaxKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: %s %q is not UTF-8", ErrInvalidKey, what, key)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("%w: %s %q holds a NUL byte", ErrInvalidKey, what, key)
	}
	return nil
}

func validHeaders(h map[string]string) error {
	size := 0
	for name, value := range h {
		size += len(name) + len(value)
		switch {
		case name == "":
			return fmt.Errorf("%w: empty name", ErrInvalidHeader)
		case !utf8.ValidString(name) || !utf8.ValidString(value):
			return fmt.Errorf("%w: %q is not UTF-8", ErrInvalidHeader, name)
		case strings.IndexByte(name, 0) >= 0 || strings.IndexByte(value, 0) >= 0:
			return fmt.Errorf("%w: %q holds a NUL byte", ErrInvalidHeader, name)
		}
	}
	if size > MaxHeadersSize {
		return fmt.Errorf("%w: %d bytes in all, the limit is %d", ErrInvalidHeader, size, MaxHeadersSize)
	}
	return nil
}

var identifier = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,50}$`)

// validTable checks a table name that goes into SQL text.
func validTable(name string) error {
	if !identifier.MatchString(name) {
		return fmt.Errorf("%w: %q (want letters, digits and _, at most 50, optionally schema.table)", ErrInvalidTable, name)
	}
	return nil
}
