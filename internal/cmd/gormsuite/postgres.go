package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
)

// createDatabase creates the database name on the server of dsn and
// returns a DSN for it.
func createDatabase(ctx context.Context, dsn, name string) (string, error) {
	if err := adminExec(ctx, dsn, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return withDatabase(dsn, name)
}

// dropDatabase drops the database name, closing its leftover connections.
func dropDatabase(ctx context.Context, dsn, name string) error {
	return adminExec(ctx, dsn, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

func adminExec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("gormsuite: connecting to PostgreSQL: %w", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("gormsuite: %s: %w", sql, err)
	}
	return nil
}

// withDatabase returns dsn (a URL or a keyword/value string) naming
// database name instead of its own.
func withDatabase(dsn, name string) (string, error) {
	if !strings.Contains(dsn, "://") {
		return dsn + " dbname=" + name, nil // the last keyword wins
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("gormsuite: malformed PostgreSQL URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
