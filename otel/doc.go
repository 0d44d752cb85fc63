// Package gormextotel traces and measures gormext with OpenTelemetry: a
// span for every statement GORM sends, spans for the transactions and
// savepoints of package txctx, and the connection pool as metrics. It
// lives in a module of its own (github.com/gormext/gormext/otel), so that
// the core module never pulls in OpenTelemetry.
//
// One call per connection, after database.Open:
//
//	db, err := database.Open(ctx, cfg)
//	...
//	if err := gormextotel.Instrument(db, gormextotel.WithConnectionName("default")); err != nil {
//		return err
//	}
//
// The tracer and meter come from the global providers (otel.SetTracerProvider,
// otel.SetMeterProvider) unless [WithTracerProvider] and [WithMeterProvider]
// say otherwise.
//
// # Spans
//
//   - A statement is a client span named after its operation and table
//     ("INSERT users", "SELECT orders"), with db.system.name, db.query.text,
//     db.operation.name, db.collection.name, db.query.summary and, when it
//     fails, error.type (the SQLSTATE on PostgreSQL) and status Error.
//   - txctx.Run, RunNew and a Middleware request's transaction are a span
//     "db.transaction"; a nested Run is a span "db.savepoint" inside it.
//     Their attributes say the connection, the attempt (WithRetry,
//     RetryRequests), read-only mode, isolation level and the outcome
//     (commit, rollback, error); a rollback caused by an error and a
//     failure have status Error. The statements run inside are their
//     children.
//
// # No values
//
// Nothing a user sends reaches a span: db.query.text is the statement with
// its placeholders ($1, ?), never the values bound to them, and error
// messages go through database.ErrorWithoutValues, which withholds the
// parts of driver messages that quote a value. GORM's own plugin
// (gorm.io/plugin/opentelemetry) is not used for that reason: by default it
// inlines the values into db.query.text, and it records error messages as
// the driver wrote them.
//
// # Metrics
//
// From the pool's sql.DBStats, observed at each collection:
// db.client.connection.count (state idle or used), db.client.connection.max,
// db.client.connection.timeouts (database.PoolTimeouts),
// gormext.db.client.connection.waits and
// gormext.db.client.connection.wait_time (seconds), each with
// db.client.connection.pool.name.
//
// See docs/observability.md for the full list.
package gormextotel
