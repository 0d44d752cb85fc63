package database

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// A statement pgx has prepared and cached on a connection keeps the result
// type it had then. Once a migration changes what it returns (SELECT * on a
// table that gained a column, say), PostgreSQL refuses to run it with
// "cached plan must not change result type", and pgx drops the cached
// statement. The refusal comes before the statement runs, so a call outside
// a transaction is simply made again on its connection: the next attempt
// prepares afresh. In
// a transaction the refusal aborts the transaction, and the error is the
// caller's, to retry the transaction whole (see [IsStalePlan]).

// stalePlanCode and stalePlanMessage identify the refusal.
const (
	stalePlanCode    = "0A000" // feature_not_supported
	stalePlanMessage = "cached plan must not change result type"
)

// IsStalePlan reports whether err is PostgreSQL's refusal to run a
// statement pgx prepared before a schema change altered what it returns
// ("cached plan must not change result type", SQLSTATE 0A000). [Open]'s
// pool makes such a call again outside a transaction; in a transaction
// the refusal aborts it, and the transaction may be run again whole, for
// example with txctx.WithRetry and txctx.WithRetryIf(database.IsStalePlan).
// The refusal comes once per connection and statement after the change.
func IsStalePlan(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == stalePlanCode && pg.Message == stalePlanMessage
}

// replan reports whether a statement refused with err is to be sent again
// on c: it was refused for a stale plan (pgx has then dropped the cached
// statement, so the next attempt prepares afresh), its context is live,
// and c is in no transaction (in one, the refusal has aborted it).
func (c *conn) replan(ctx context.Context, err error) bool {
	return err != nil && IsStalePlan(err) && ctx.Err() == nil && c.pgx() != nil && c.pgx().PgConn().TxStatus() == 'I'
}
