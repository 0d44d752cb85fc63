package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gormext/gormext/txctx"
)

var (
	errChangedMind = errors.New("changed my mind")
	errImport      = errors.New("the import failed half-way")
)

// createArticle is what a repository looks like with txctx: it asks the
// context for the session, so it joins whatever transaction is open.
func createArticle(ctx context.Context, author *Author, title string) error {
	return txctx.DB(ctx).Create(&Article{AuthorID: author.ID, Title: title, Status: "draft"}).Error
}

// articleExists reports whether an article with the title was committed.
func articleExists(ctx context.Context, title string) (bool, error) {
	var n int64
	err := txctx.DB(ctx).Model(&Article{}).Where("title = ?", title).Count(&n).Error
	return n > 0, err
}

// savepoints shows a nested Run rolling back to its savepoint while the
// outer transaction commits.
func (t *tour) savepoints(ctx context.Context) error {
	t.section("txctx.Run: a savepoint rolls back, the outer transaction commits")
	t.clock.Advance(time.Minute)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := createArticle(ctx, &t.grace, "Savepoints explained"); err != nil {
			return err
		}
		t.say("   outer Run: created \"Savepoints explained\" (in a transaction: %v)", txctx.InTransaction(ctx))
		inner := txctx.Run(ctx, func(ctx context.Context) error {
			if err := createArticle(ctx, &t.grace, "A draft nobody should see"); err != nil {
				return err
			}
			t.say("   nested Run (a savepoint): created \"A draft nobody should see\", then returned an error")
			return errChangedMind
		})
		t.say("   nested Run returned %q: rolled back to the savepoint; the outer Run goes on", inner)
		return nil
	})
	if err != nil {
		return fmt.Errorf("the outer Run: %w", err)
	}
	return t.reportExists(ctx, "Savepoints explained", "A draft nobody should see")
}

// reportExists prints, for each title, whether the article was committed.
func (t *tour) reportExists(ctx context.Context, titles ...string) error {
	for _, title := range titles {
		ok, err := articleExists(ctx, title)
		if err != nil {
			return fmt.Errorf("looking for %q: %w", title, err)
		}
		t.say("   after the outer Run: %q committed: %v", title, ok)
	}
	return nil
}

// afterCommit shows an event published only once its transaction commits,
// and dropped when it rolls back.
func (t *tour) afterCommit(ctx context.Context) error {
	t.section("txctx.AfterCommit: publish an event only after the commit")
	t.clock.Advance(time.Minute)
	publish := func(title string) func(context.Context) {
		return func(context.Context) { t.say("   -> published event article.created %q", title) }
	}
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := createArticle(ctx, &t.ada, "Release notes"); err != nil {
			return err
		}
		txctx.AfterCommit(ctx, publish("Release notes"))
		t.say("   Run: created \"Release notes\" and registered its event; nothing is published yet")
		return nil
	})
	if err != nil {
		return fmt.Errorf("publishing after commit: %w", err)
	}
	t.say("   Run returned after the commit and the event")
	err = txctx.Run(ctx, func(ctx context.Context) error {
		if err := createArticle(ctx, &t.ada, "Unreleased notes"); err != nil {
			return err
		}
		txctx.AfterCommit(ctx, publish("Unreleased notes"))
		return errChangedMind
	})
	t.say("   a second Run registered an event and failed (%q): its event was dropped", err)
	return nil
}

// independentTransactions shows an audit row written with RunNew surviving
// the rollback of the outer transaction, and AfterRollback recording the
// failure.
func (t *tour) independentTransactions(ctx context.Context) error {
	t.section("txctx.RunNew and AfterRollback: the audit log survives a rollback")
	t.clock.Advance(time.Minute)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		// RunNew first: on SQLite the outer transaction takes the write lock
		// at its first write, after which no other connection can write.
		if err := txctx.RunNew(ctx, writeAudit("import started")); err != nil {
			return err
		}
		t.say("   RunNew: wrote audit entry \"import started\" in a transaction of its own, committed")
		t.say("   (it runs before the outer Run writes: SQLite allows one writer at a time, so later it would fail with txctx.ErrWriteLocked)")
		txctx.AfterRollback(ctx, func(ctx context.Context) {
			if err := txctx.RunNew(ctx, writeAudit("import failed")); err != nil {
				t.say("   AfterRollback: could not record the failure: %v", err)
				return
			}
			t.say("   AfterRollback: the outer transaction is gone; wrote audit entry \"import failed\"")
		})
		if err := createArticle(ctx, &t.grace, "Half an import"); err != nil {
			return err
		}
		t.say("   outer Run: created \"Half an import\", then failed")
		return errImport
	})
	t.say("   outer Run returned %q", err)
	if err := t.reportExists(ctx, "Half an import"); err != nil {
		return err
	}
	return t.printAuditLog(ctx)
}

// writeAudit returns a transaction body that writes one audit entry.
func writeAudit(action string) func(context.Context) error {
	return func(ctx context.Context) error {
		return txctx.DB(ctx).Create(&AuditEntry{Action: action}).Error
	}
}

// printAuditLog prints the audit log in the order it was written.
func (t *tour) printAuditLog(ctx context.Context) error {
	var log []AuditEntry
	if err := txctx.DB(ctx).Order("created_at, id").Find(&log).Error; err != nil {
		return fmt.Errorf("reading the audit log: %w", err)
	}
	actions := make([]string, len(log))
	for i, e := range log {
		actions[i] = e.Action
	}
	t.say("   audit log: %s", quoteAll(actions))
	return nil
}
