package gormextotel

import (
	"context"
	"database/sql"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gormext/gormext/txctx"
)

// Span names of the transactions and savepoints.
const (
	TransactionSpan = "db.transaction"
	SavepointSpan   = "db.savepoint"
)

// Attributes of the transaction and savepoint spans, beside db.system.name
// and, on failure, error.type.
const (
	ConnectionKey  = attribute.Key("gormext.db.connection")   // the txctx connection name ("default")
	AttemptKey     = attribute.Key("gormext.tx.attempt")      // 1, 2, ... (WithRetry, RetryRequests)
	ReadOnlyKey    = attribute.Key("gormext.tx.read_only")    // true for ReadOnly
	IsolationKey   = attribute.Key("gormext.tx.isolation")    // "Serializable", ...; absent for the default
	RequestKey     = attribute.Key("gormext.tx.request")      // true for a Middleware request's
	SavepointKey   = attribute.Key("gormext.tx.savepoint")    // "sp_1", ...; savepoints only
	OutcomeKey     = attribute.Key("gormext.tx.outcome")      // "commit", "rollback" or "error"
	RetryReasonKey = attribute.Key("gormext.tx.retry_reason") // set when the attempt is retried
)

// transactions is the txctx.Observer that makes the spans.
type transactions struct {
	tracer trace.Tracer
}

var _ txctx.Observer = (*transactions)(nil)

// Start implements txctx.Observer.
func (o *transactions) Start(ctx context.Context, s txctx.Scope) context.Context {
	name := TransactionSpan
	if s.Kind == txctx.Savepoint {
		name = SavepointSpan
	}
	ctx, _ = o.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(scopeAttributes(s)...))
	return ctx
}

// End implements txctx.Observer.
func (o *transactions) End(ctx context.Context, _ txctx.Scope, r txctx.Result) {
	span := trace.SpanFromContext(ctx)
	defer span.End()
	span.SetAttributes(OutcomeKey.String(r.Outcome.String()))
	if r.RetryReason != "" {
		span.SetAttributes(RetryReasonKey.String(r.RetryReason))
	}
	if r.Err != nil && (r.Outcome == txctx.Failed || r.Outcome == txctx.RolledBack) {
		recordError(span, r.Err)
	}
}

func scopeAttributes(s txctx.Scope) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs, systemName(s.Dialect), ConnectionKey.String(s.Connection), AttemptKey.Int(s.Attempt))
	if s.ReadOnly {
		attrs = append(attrs, ReadOnlyKey.Bool(true))
	}
	if s.Isolation != sql.LevelDefault {
		attrs = append(attrs, IsolationKey.String(s.Isolation.String()))
	}
	if s.Request {
		attrs = append(attrs, RequestKey.Bool(true))
	}
	if s.Savepoint != "" {
		attrs = append(attrs, SavepointKey.String(s.Savepoint))
	}
	return attrs
}

// systemName is db.system.name for a GORM dialector's name.
func systemName(dialect string) attribute.KeyValue {
	switch dialect {
	case "postgres":
		return semconv.DBSystemNamePostgreSQL
	case "sqlite":
		return semconv.DBSystemNameSQLite
	case "mysql":
		return semconv.DBSystemNameMySQL
	case "sqlserver":
		return semconv.DBSystemNameMicrosoftSQLServer
	}
	return semconv.DBSystemNameKey.String(dialect)
}
