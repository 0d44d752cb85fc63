package database

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

func openPostgres(t target, cfg Config) (*sql.DB, func(gorm.ConnPool) gorm.Dialector, error) {
	connConfig, err := pgx.ParseConfig(t.dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: malformed PostgreSQL connection string %q", ErrUnsupportedURL, Redact(t.dsn))
	}
	db := openDB(stdlib.GetConnector(*connConfig, prePing(cfg)...))
	dial := func(pool gorm.ConnPool) gorm.Dialector {
		return postgres.New(postgres.Config{Conn: pool})
	}
	return db, dial, nil
}

// prePing is pgx's liveness check before a pooled connection is reused:
// with PoolPrePing on every checkout, as SQLAlchemy's pool_pre_ping does,
// so a connection that died while idle is replaced (database/sql opens
// another) rather than failing the caller's statement; otherwise pgx's
// default, after a second of idleness.
func prePing(cfg Config) []stdlib.OptionOpenDB {
	if !cfg.PoolPrePing {
		return nil
	}
	always := func(context.Context, stdlib.ShouldPingParams) bool { return true }
	return []stdlib.OptionOpenDB{stdlib.OptionShouldPing(always)}
}

// describe names the server of a target for error messages, without secrets.
func describe(t target) string {
	if t.dialect == dialectSQLite {
		if t.memory {
			return "sqlite in-memory database"
		}
		return fmt.Sprintf("sqlite database %q", t.dsn)
	}
	if c, err := pgx.ParseConfig(t.dsn); err == nil {
		return fmt.Sprintf("postgres at %s:%d (user %q, database %q)", c.Host, c.Port, c.User, c.Database)
	}
	return "postgres at " + Redact(t.dsn)
}
