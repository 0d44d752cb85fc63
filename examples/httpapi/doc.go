// Httpapi is a small REST service built on gormext, meant to be copied as
// the start of a real project: authors, the articles they write, and an
// immutable audit log of every change.
//
//	go run ./examples/httpapi                      # in-memory SQLite on localhost:8080
//	DATABASE_URL=postgres://postgres@127.0.0.1/test go run ./examples/httpapi
//
// The pending migrations of migrations/ (one directory per database,
// generated from the models with `make migrate-diff NAME=...`) are applied
// at start, once between all instances; `go run ./examples/httpapi migrate
// help` lists the migration commands (docs/migrations.md). The other DATABASE_* variables of
// database.FromEnv (DATABASE_ECHO=1 logs every statement, DATABASE_POOL_SIZE,
// ...) apply, CURSOR_KEY sets the key that signs listing cursors (give
// every instance the same one), and the flags -addr and -request-timeout
// set the listening address and each request's deadline.
//
// The routes (Go 1.22 net/http patterns):
//
//	POST   /authors               create an author            201, 409 when the e-mail is taken
//	GET    /authors/{id}          one author                  200, 404
//	POST   /articles              create an article           201, 422 on invalid fields
//	GET    /articles              filtered, sorted, paginated listing (Paginated JSON)
//	GET    /articles/feed         the same listing with keyset cursors, for infinite scroll
//	GET    /articles/{id}         one article                 200, 404
//	PATCH  /articles/{id}         change an article           200, 409 when the version is stale (audited)
//	DELETE /articles/{id}         delete an article           204, 404
//	GET    /audit                 the audit log, newest first (Paginated JSON)
//	GET    /healthz               readiness: 200 with the pool's figures, 503 when the database does not answer (also HEAD)
//
// The listing takes its filters from the query string, e.g.
//
//	GET /articles?title_icontains=go&author_id=...&status_in=draft,published&sort=-created_at&page=2&page_size=10
//
// How it is put together:
//
//   - [NewServer] builds the whole http.Handler from a *gorm.DB, so tests run
//     the real server through httptest; main only reads the environment and
//     flags, applies the migrations and serves, with graceful shutdown.
//   - txctx.Middleware wraps every request in a transaction that begins at
//     the first query, commits when the handler answers below 400 and rolls
//     back otherwise; the response is held until the commit succeeded.
//   - Handlers and repositories never see a *gorm.DB: they call
//     txctx.DB(ctx), which is the request's transaction.
//   - Every error reaches the client as one JSON shape, [ErrorBody]:
//     validation 422 with the failing fields, a bad filter, sort or page 400
//     naming the parameter (for a query string scopes.DecodeRequest
//     rejected, the parameter, the rule it broke and what it must be, in
//     param, rule and params), a body that is not the object expected 400
//     "invalid_body" (the field, with its path, the rule and what it must
//     be, in field, rule and fields; or where the JSON is broken, by line,
//     column and byte), a unique violation 409, not found 404, a stale
//     version 409.
//   - Listings decode the raw query string (scopes.DecodeRequest), never
//     r.URL.Query(), which silently drops a pair holding an unencoded ";"
//     (?title_icontains=x;y would list every row): such a pair is a 400;
//     %3B is a literal semicolon.
//   - Requests have a deadline ([Config].RequestTimeout) and are logged with
//     log/slog.
//   - Every audit entry is written in the request's transaction and, once
//     it committed, handed to [Config].AfterCommit (txctx.AfterCommit): the
//     place to publish an event, never called for rolled-back work.
//   - Every committed change also stores a domain event ([Event]: topics
//     author.created, article.created, article.updated, article.deleted)
//     with outbox.Add, in the request's transaction: it exists if and only
//     if the change committed, and none is stored for a request that
//     failed. The outbox table is made by the *_outbox.sql migrations
//     (outbox.Schema; [UnmappedTables] keeps it out of diff and check).
//     Without AMQP_URL an outbox.Relay in the process publishes the events
//     to the log, one "event" line each; with AMQP_URL set the process
//     runs no relay, and `worker relay` of examples/worker (a module of its
//     own: this one imports no broker client) publishes them to RabbitMQ,
//     where `worker consume` handles them with the inbox.
//   - A change refused because its version is stale (409) is audited too,
//     as "article.update_refused": the request's transaction rolls back,
//     then a txctx.AfterRollback callback writes the entry with txctx.RunNew,
//     a transaction of its own that commits although the request's did not
//     (and whose entry reaches [Config].AfterCommit once it committed).
//     Waiting for the rollback is the portable way: on SQLite a RunNew
//     cannot write while the request's transaction holds the write lock
//     (docs/transactions.md). The middleware runs its callbacks with the
//     connection bound and no transaction, so the callback calls RunNew
//     directly. Other failures leave no entry.
package main
