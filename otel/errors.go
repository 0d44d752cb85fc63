package gormextotel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// failed reports whether err makes a statement's span an error: not found
// is an answer, not a failure.
func failed(err error) bool {
	return err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, sql.ErrNoRows)
}

// sqlStater is implemented by PostgreSQL errors (pgx's *pgconn.PgError).
type sqlStater interface{ SQLState() string }

// recordError marks span failed with err: status Error, error.type, and an
// exception event, all with the message as database.ErrorWithoutValues
// gives it (span.RecordError would record err.Error(), values and all).
func recordError(span trace.Span, err error) {
	msg := database.ErrorWithoutValues(err)
	typ := errorType(err)
	attrs := []attribute.KeyValue{semconv.ErrorTypeKey.String(typ)}
	var s sqlStater
	if errors.As(err, &s) && s.SQLState() != "" {
		attrs = append(attrs, semconv.DBResponseStatusCode(s.SQLState()))
	}
	span.SetAttributes(attrs...)
	span.AddEvent("exception", trace.WithAttributes(
		semconv.ExceptionType(typ),
		semconv.ExceptionMessage(msg),
	))
	span.SetStatus(codes.Error, msg)
}

// errorType is the error.type of err: the SQLSTATE on PostgreSQL, the
// context's error, else the Go type of the innermost error (such as
// sqlite3.Error).
func errorType(err error) string {
	var s sqlStater
	switch {
	case errors.As(err, &s) && s.SQLState() != "":
		return s.SQLState()
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return fmt.Sprintf("%T", err)
		}
		err = next
	}
}
