// Package atcommit is the agreement between the code that writes a
// transaction's last statements (package outbox), the code that commits
// it (package txctx) and the connection wrapper that can send such a
// statement in the same round trip as COMMIT (package database):
//
//   - a statement whose text starts with [Marker] does not need its result
//     before the transaction ends;
//   - a context marked with [CommitNext] says that nothing but COMMIT (and
//     other such statements) follows in its transaction: no savepoint can
//     roll the statement back and nobody waits for its outcome before
//     COMMIT. A context derived from it with a cancellation of its own
//     does not say so.
//
// Only both together let the wrapper hold the statement back until COMMIT.
// Anywhere else the marker is an SQL comment and the statement runs at
// once.
package atcommit

import (
	"context"
	"strings"
)

// Marker starts the text of a statement that may travel with COMMIT.
const Marker = "/* gormext:at-commit */ "

// Has reports whether query starts with Marker.
func Has(query string) bool { return strings.HasPrefix(query, Marker) }

type commitNextKey struct{}

// commitNext is what CommitNext stores: the Done channel of the context it
// marked.
type commitNext struct{ done <-chan struct{} }

// CommitNext marks ctx: COMMIT follows its statements.
func CommitNext(ctx context.Context) context.Context {
	return context.WithValue(ctx, commitNextKey{}, commitNext{done: ctx.Done()})
}

// IsCommitNext reports whether ctx was marked by CommitNext and ends when
// the marked context ends, not before: a statement run under a context of
// its own (a timeout its caller cancels once the statement has returned,
// say) runs at once, as the end of that context is no reason to abandon
// the transaction at COMMIT.
func IsCommitNext(ctx context.Context) bool {
	v, ok := ctx.Value(commitNextKey{}).(commitNext)
	return ok && v.done == ctx.Done()
}

// Clear returns ctx unmarked, for the work of a savepoint or of another
// transaction begun under it: a statement there may be rolled back, or
// have its outcome awaited, before COMMIT.
func Clear(ctx context.Context) context.Context {
	if ctx.Value(commitNextKey{}) == nil {
		return ctx
	}
	return context.WithValue(ctx, commitNextKey{}, nil)
}
