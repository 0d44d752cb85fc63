package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormext/gormext/entities"
)

// slogLogger is GORM's logger.Interface on top of log/slog. It also
// implements gorm.ParamsFilter, through which GORM asks for the values to
// inline into the SQL it hands to Trace: none unless values is set.
type slogLogger struct {
	log    *slog.Logger
	level  logger.LogLevel
	echo   bool
	values bool
	slow   time.Duration
}

func newLogger(cfg Config) logger.Interface {
	return &slogLogger{log: cfg.Logger, level: logger.Warn, echo: cfg.Echo, values: cfg.LogValues, slow: cfg.SlowQuery}
}

// LogMode returns a copy logging at the given GORM level; logger.Info turns
// echo on, as db.Debug() does. It never turns LogValues on.
func (l *slogLogger) LogMode(level logger.LogLevel) logger.Interface {
	c := *l
	c.level = level
	if level >= logger.Info {
		c.echo = true
	}
	return &c
}

func (l *slogLogger) Info(ctx context.Context, msg string, args ...any) {
	l.emit(ctx, logger.Info, slog.LevelInfo, msg, args)
}

func (l *slogLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.emit(ctx, logger.Warn, slog.LevelWarn, msg, args)
}

func (l *slogLogger) Error(ctx context.Context, msg string, args ...any) {
	l.emit(ctx, logger.Error, slog.LevelError, msg, args)
}

func (l *slogLogger) emit(ctx context.Context, at logger.LogLevel, level slog.Level, msg string, args []any) {
	if l.level >= at {
		l.log.Log(ctx, level, "gorm: "+fmt.Sprintf(msg, args...))
	}
}

// ParamsFilter implements gorm.ParamsFilter: GORM explains the statement
// with the values returned, so returning none leaves the placeholders.
func (l *slogLogger) ParamsFilter(_ context.Context, sql string, params ...any) (string, []any) {
	if l.values {
		return sql, params
	}
	return sql, nil
}

// Trace logs one statement: failures the caller cannot be expected to
// handle as errors, slow statements as warnings, every statement when echo
// is on, and the remaining failures (constraint violations, not found,
// stale versions, cancelled contexts) at debug level.
func (l *slogLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	level, msg, ok := l.classify(err, elapsed)
	if !ok || !l.log.Enabled(ctx, level) {
		return
	}
	sql, rows := fc()
	if !l.values {
		sql = restorePlaceholders(sql)
	}
	attrs := []slog.Attr{slog.String("sql", sql), slog.Int64("rows", rows), slog.Duration("elapsed", elapsed)}
	if l.slow > 0 && elapsed > l.slow {
		attrs = append(attrs, slog.Duration("threshold", l.slow))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", l.errorText(err)))
	}
	l.log.LogAttrs(ctx, level, msg, attrs...)
}

// classify chooses the level and message of a statement's record; false
// means the statement is not logged.
func (l *slogLogger) classify(err error, elapsed time.Duration) (slog.Level, string, bool) {
	switch {
	case l.level <= logger.Silent:
		return 0, "", false
	case err != nil && !callerError(err):
		return slog.LevelError, "sql failed", true
	case l.level >= logger.Warn && l.slow > 0 && elapsed > l.slow:
		return slog.LevelWarn, "sql slow", true
	case l.echo:
		return slog.LevelInfo, "sql", true
	case err != nil:
		return slog.LevelDebug, "sql failed", true
	}
	return 0, "", false
}

// callerError reports whether err is one the caller receives and is
// expected to handle (answering 404, 409, 422 and the like), not a fault of
// the service or the database.
func callerError(err error) bool {
	for _, target := range []error{
		gorm.ErrRecordNotFound, context.Canceled, context.DeadlineExceeded, ErrConstraint,
		entities.ErrStaleEntity, entities.ErrImmutable, entities.ErrValidation,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return constraintError(err) != nil // TranslateError turned off in Config.GORM
}

// errorText is err's message for the log: without LogValues, as
// ErrorWithoutValues gives it.
func (l *slogLogger) errorText(err error) string {
	if l.values {
		return err.Error()
	}
	return withholdValues(err, "; set Config.LogValues to log it")
}

// explainedPlaceholder is a PostgreSQL placeholder as GORM's explain
// leaves it when it has no value for it: $1 becomes $1$.
var explainedPlaceholder = regexp.MustCompile(`\$(\d+)\$`)

// restorePlaceholders undoes that: GORM's explain of a statement without
// values is its SQL, except that PostgreSQL's $n placeholders come back as
// $n$.
func restorePlaceholders(sql string) string {
	if !strings.Contains(sql, "$") {
		return sql
	}
	return explainedPlaceholder.ReplaceAllString(sql, "$$$1")
}

// scanRecorder is the type of the logger GORM's Scan puts in place of the
// configured one while it runs its query; it then hands the configured
// logger the SQL it recorded, explained with the values of the recorder's
// own ParamsFilter, not the configured logger's.
var scanRecorder = reflect.TypeOf(logger.Recorder.New())

// registerScanFilter makes the SQL of Scan (db.Raw(...).Scan, db.Table(...).
// Scan) reach the logger without values, as every other statement does,
// when db logs through a slogLogger without LogValues: after the row query
// has run, it gives Scan's recorder a ParamsFilter that drops them. Scan
// works on a copy of the gorm.Config and restores the logger afterwards.
func registerScanFilter(db *gorm.DB) error {
	if l, ok := db.Logger.(*slogLogger); !ok || l.values {
		return nil
	}
	return db.Callback().Row().After("gorm:row").Register("gormext:log_without_values", func(tx *gorm.DB) {
		if reflect.TypeOf(tx.Logger) == scanRecorder {
			tx.Logger = withoutValues{tx.Logger}
		}
	})
}

// withoutValues is a logger whose ParamsFilter drops every value.
type withoutValues struct{ logger.Interface }

// ParamsFilter implements gorm.ParamsFilter.
func (withoutValues) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
