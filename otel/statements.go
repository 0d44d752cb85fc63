package gormextotel

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// statements is the GORM plugin that gives every statement a span.
type statements struct {
	tracer trace.Tracer
}

const (
	statementsName = "gormext:otel"
	startCallback  = "gormext:otel_start"
	endCallback    = "gormext:otel_end"
)

// rowsAffected is the number of rows a statement other than a query
// wrote (gormext's own attribute; queries use db.response.returned_rows).
const rowsAffected = attribute.Key("gormext.db.rows_affected")

// Name implements gorm.Plugin.
func (*statements) Name() string { return statementsName }

// Initialize implements gorm.Plugin: a callback right before and right
// after the one of each processor that sends the statement, so that the
// span covers the round trip and not the model hooks around it.
func (p *statements) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	for _, r := range []struct {
		before, after interface {
			Register(string, func(*gorm.DB)) error
		}
	}{
		{cb.Create().Before("gorm:create"), cb.Create().After("gorm:create")},
		{cb.Query().Before("gorm:query"), cb.Query().After("gorm:query")},
		{cb.Update().Before("gorm:update"), cb.Update().After("gorm:update")},
		{cb.Delete().Before("gorm:delete"), cb.Delete().After("gorm:delete")},
		{cb.Row().Before("gorm:row"), cb.Row().After("gorm:row")},
		{cb.Raw().Before("gorm:raw"), cb.Raw().After("gorm:raw")},
	} {
		if err := r.before.Register(startCallback, p.start); err != nil {
			return err
		}
		if err := r.after.Register(endCallback, p.end); err != nil {
			return err
		}
	}
	return nil
}

// statementCtx is the context of a statement while its span is open: the
// span's, remembering the statement's own to put it back.
type statementCtx struct {
	context.Context
	parent context.Context
	span   trace.Span
}

// start opens the span of a statement that is about to be sent.
func (p *statements) start(tx *gorm.DB) {
	if tx.Error != nil || tx.DryRun {
		return // nothing will be sent
	}
	parent := tx.Statement.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, span := p.tracer.Start(parent, "db", trace.WithSpanKind(trace.SpanKindClient))
	tx.Statement.Context = &statementCtx{Context: ctx, parent: parent, span: span}
}

// end describes the statement on its span and closes it.
func (p *statements) end(tx *gorm.DB) {
	sc, ok := tx.Statement.Context.(*statementCtx)
	if !ok {
		return
	}
	tx.Statement.Context = sc.parent
	span := sc.span
	defer span.End()
	if !span.IsRecording() {
		return
	}
	query := tx.Statement.SQL.String() // placeholders, never the values
	op := operation(query)
	table := tx.Statement.Table
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs, systemName(tx.Dialector.Name()), semconv.DBQueryText(query))
	if op != "" {
		attrs = append(attrs, semconv.DBOperationName(op))
	}
	if table != "" {
		attrs = append(attrs, semconv.DBCollectionName(table))
	}
	if summary := strings.TrimSpace(op + " " + table); summary != "" {
		attrs = append(attrs, semconv.DBQuerySummary(summary))
		span.SetName(summary)
	}
	if rows, ok := rowsAttribute(op, tx.Statement.RowsAffected); ok {
		attrs = append(attrs, rows)
	}
	span.SetAttributes(attrs...)
	if failed(tx.Error) {
		recordError(span, tx.Error)
	}
}

// rowsAttribute is the number of rows returned (a query) or written.
// It reports false when the count is unknown.
func rowsAttribute(op string, rows int64) (attribute.KeyValue, bool) {
	switch {
	case rows < 0:
		return attribute.KeyValue{}, false
	case op == "SELECT":
		return semconv.DBResponseReturnedRows(int(rows)), true
	}
	return rowsAffected.Int64(rows), true
}

// operation is the statement's first keyword, upper-cased: INSERT,
// SELECT, UPDATE, DELETE, WITH, ...; "" when there is none. Comments
// before it are skipped (such as database.AtCommit's marker).
func operation(query string) string {
	query = skipComments(query)
	end := strings.IndexFunc(query, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
	})
	if end < 0 {
		end = len(query)
	}
	return strings.ToUpper(query[:end])
}

// skipComments drops blanks, semicolons, opening parentheses and SQL
// comments (/* ... */ and -- to the end of the line) from the start of
// query.
func skipComments(query string) string {
	for {
		query = strings.TrimLeft(query, " \t\r\n;(")
		switch {
		case strings.HasPrefix(query, "/*"):
			end := strings.Index(query, "*/")
			if end < 0 {
				return ""
			}
			query = query[end+2:]
		case strings.HasPrefix(query, "--"):
			end := strings.IndexByte(query, '\n')
			if end < 0 {
				return ""
			}
			query = query[end+1:]
		default:
			return query
		}
	}
}
