package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// slogLogger is GORM's logger.Interface on top of log/slog.
type slogLogger struct {
	log   *slog.Logger
	level logger.LogLevel
	echo  bool
	slow  time.Duration
}

func newLogger(cfg Config) logger.Interface {
	return &slogLogger{log: cfg.Logger, level: logger.Warn, echo: cfg.Echo, slow: cfg.SlowQuery}
}

// LogMode returns a copy logging at the given GORM level; logger.Info turns
// echo on, as db.Debug() does.
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

// Trace logs one statement: every statement when echo is on, slow ones as
// warnings, failed ones (other than record-not-found) as errors.
func (l *slogLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if l.level <= logger.Silent {
		return
	}
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && l.level >= logger.Error:
		sql, rows := fc()
		l.log.LogAttrs(ctx, slog.LevelError, "sql failed", sqlAttrs(sql, rows, elapsed, slog.String("error", err.Error()))...)
	case l.slow > 0 && elapsed > l.slow && l.level >= logger.Warn:
		sql, rows := fc()
		l.log.LogAttrs(ctx, slog.LevelWarn, "sql slow", sqlAttrs(sql, rows, elapsed, slog.Duration("threshold", l.slow))...)
	case l.echo:
		sql, rows := fc()
		l.log.LogAttrs(ctx, slog.LevelInfo, "sql", sqlAttrs(sql, rows, elapsed)...)
	}
}

func sqlAttrs(sql string, rows int64, elapsed time.Duration, extra ...slog.Attr) []slog.Attr {
	return append([]slog.Attr{slog.String("sql", sql), slog.Int64("rows", rows), slog.Duration("elapsed", elapsed)}, extra...)
}
