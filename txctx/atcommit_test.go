package txctx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/txctx"
)

// TestAtCommitSerializationFailureRetried: a statement flushed before
// COMMIT and sent with it (database.AtCommit) that fails with a
// serialization failure fails the COMMIT; the transaction is rolled back,
// so WithRetry runs it again, and one attempt's work is stored.
func TestAtCommitSerializationFailureRetried(t *testing.T) {
	db := postgresOnly(t)
	for _, stmt := range []string{
		"CREATE TABLE w (id text PRIMARY KEY)",
		"CREATE SEQUENCE fails",
		`CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('fails') = 1 THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END IF;
			RETURN 1;
		END $$`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	ctx := txctx.WithDB(context.Background(), db)
	attempts := 0
	err := txctx.Run(ctx, func(ctx context.Context) error {
		attempts++
		if err := txctx.DB(ctx).Exec("INSERT INTO w VALUES ('a')").Error; err != nil {
			return err
		}
		return txctx.BeforeCommit(ctx, "fail", 0, func(ctx context.Context, _ []int) error {
			return txctx.DB(ctx).Exec(database.AtCommit + "SELECT fail_once()").Error
		})
	}, txctx.WithRetry(3))
	if err != nil || attempts != 2 {
		t.Fatalf("Run: %v after %d attempts; want nil after 2", err, attempts)
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM w").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("rows: %d, %v; want 1", n, err)
	}
}

// TestAtCommitDeferredConstraint: a deferred foreign key checked by the
// COMMIT that carries a held statement fails Run with ErrCommit and the
// violation; nothing is stored and the connection serves the next Run.
func TestAtCommitDeferredConstraint(t *testing.T) {
	db := postgresOnly(t)
	for _, stmt := range []string{
		"CREATE TABLE p (id int PRIMARY KEY)",
		"CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED)",
		"CREATE TABLE w (id text PRIMARY KEY)",
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(1)
	ctx := txctx.WithDB(context.Background(), db)
	run := func(parent bool, id string) error {
		return txctx.Run(ctx, func(ctx context.Context) error {
			if parent {
				if err := txctx.DB(ctx).Exec("INSERT INTO p VALUES (7)").Error; err != nil {
					return err
				}
			}
			if err := txctx.DB(ctx).Exec("INSERT INTO c VALUES (7)").Error; err != nil {
				return err
			}
			return txctx.BeforeCommit(ctx, "w", id, func(ctx context.Context, ids []string) error {
				return txctx.DB(ctx).Exec(database.AtCommit+"INSERT INTO w VALUES (?)", ids[0]).Error
			})
		})
	}
	err := run(false, "a")
	var pg *pgconn.PgError
	if !errors.Is(err, txctx.ErrCommit) || !errors.Is(err, gorm.ErrForeignKeyViolated) || !errors.As(err, &pg) || pg.Code != "23503" {
		t.Fatalf("Run violating a deferred key: %v; want ErrCommit and the violation", err)
	}
	if err := run(true, "b"); err != nil {
		t.Fatalf("the next Run: %v", err)
	}
	var ids []string
	if err := db.Raw("SELECT id FROM w").Scan(&ids).Error; err != nil || len(ids) != 1 || ids[0] != "b" {
		t.Fatalf("rows: %v, %v; want [b]", ids, err)
	}
}

// TestAtCommitStatementUnderItsOwnTimeout: a flush that bounds its marked
// statement with a context of its own (a timeout, cancelled when the flush
// returns, as is idiomatic) commits: the end of that context once the
// statement has been issued is no cancellation of the statement.
func TestAtCommitStatementUnderItsOwnTimeout(t *testing.T) {
	db := postgresOnly(t)
	if err := db.Exec("CREATE TABLE w (id text PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	ctx := txctx.WithDB(context.Background(), db)
	err := txctx.Run(ctx, func(ctx context.Context) error {
		return txctx.BeforeCommit(ctx, "w", "a", func(ctx context.Context, ids []string) error {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			return txctx.DB(ctx).Exec(database.AtCommit+"INSERT INTO w VALUES (?)", ids[0]).Error
		})
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM w").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("rows: %d, %v; want 1", n, err)
	}
}

// TestAtCommitStatementInASavepointOfAFlush: a flush that runs a marked
// statement in a nested Run, to survive its failure, gets its failure
// there: a savepoint can roll the statement back, so it is not held for
// the COMMIT, and the transaction commits the rest.
func TestAtCommitStatementInASavepointOfAFlush(t *testing.T) {
	db := postgresOnly(t)
	if err := db.Exec("CREATE TABLE w (id text PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO w VALUES ('taken')").Error; err != nil {
		t.Fatal(err)
	}
	ctx := txctx.WithDB(context.Background(), db)
	var inner error
	err := txctx.Run(ctx, func(ctx context.Context) error {
		if err := txctx.DB(ctx).Exec("INSERT INTO w VALUES ('a')").Error; err != nil {
			return err
		}
		return txctx.BeforeCommit(ctx, "w", "taken", func(ctx context.Context, ids []string) error {
			inner = txctx.Run(ctx, func(ctx context.Context) error {
				return txctx.DB(ctx).Exec(database.AtCommit+"INSERT INTO w VALUES (?)", ids[0]).Error
			})
			return nil // the savepoint was there to survive it
		})
	})
	if !errors.Is(inner, gorm.ErrDuplicatedKey) {
		t.Errorf("the nested Run: %v, want the duplicate key", inner)
	}
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM w WHERE id = 'a'").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("rows: %d, %v; want 1", n, err)
	}
}
