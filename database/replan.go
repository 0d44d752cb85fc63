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
// a transaction is simply made again: the next attempt prepares afresh. In
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

// replan reports whether a call that failed with err on its attempt-th
// try is to be made again: it was refused for a stale plan, its context is
// live, and it has been tried fewer times than there are open connections
// (each refusal drops the statement from one connection's cache). It is a
// loop condition rather than a wrapper so that a call costs no closure.
func (p *pool) replan(ctx context.Context, err error, attempt int) bool {
	return err != nil && IsStalePlan(err) && ctx.Err() == nil && attempt < p.db.Stats().OpenConnections
}
