package database_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

type author struct {
	ID    int64
	Email string `gorm:"not null;uniqueIndex:idx_author_email"`
	First string `gorm:"uniqueIndex:idx_author_name"`
	Last  string `gorm:"uniqueIndex:idx_author_name"`
}

type book struct {
	ID       int64
	AuthorID int64 `gorm:"not null"`
	Author   author
	Title    string `gorm:"not null;check:chk_title_length,length(title) > 1"`
}

func migrateLibrary(t *testing.T, db *gorm.DB) author {
	t.Helper()
	if err := db.AutoMigrate(&author{}, &book{}); err != nil {
		t.Fatal(err)
	}
	a := author{Email: "ada@example.com", First: "Ada", Last: "Lovelace"}
	if err := db.Create(&a).Error; err != nil {
		t.Fatal(err)
	}
	return a
}

func isPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// wantDriverError checks that err unwraps to the driver's own error type.
func wantDriverError(t *testing.T, db *gorm.DB, err error) {
	t.Helper()
	if isPostgres(db) {
		var pg *pgconn.PgError
		if !errors.As(err, &pg) {
			t.Errorf("errors.As(%v, *pgconn.PgError) = false", err)
		}
		return
	}
	var lite sqlite3.Error
	if !errors.As(err, &lite) {
		t.Errorf("errors.As(%v, sqlite3.Error) = false", err)
	}
}

func constraintErr(t *testing.T, err error) *database.ConstraintError {
	t.Helper()
	var ce *database.ConstraintError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *database.ConstraintError", err, err)
	}
	if !errors.Is(err, database.ErrConstraint) {
		t.Errorf("errors.Is(err, ErrConstraint) = false")
	}
	return ce
}

func TestUniqueViolation(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		migrateLibrary(t, db)
		err := db.Create(&author{Email: "ada@example.com", First: "A", Last: "B"}).Error
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Fatalf("err = %v, want gorm.ErrDuplicatedKey", err)
		}
		for _, other := range []error{gorm.ErrForeignKeyViolated, gorm.ErrCheckConstraintViolated, database.ErrNotNullViolated} {
			if errors.Is(err, other) {
				t.Errorf("unique violation matches %v", other)
			}
		}
		ce := constraintErr(t, err)
		if ce.Kind != database.Unique || ce.Table != "authors" || ce.Column() != "email" {
			t.Errorf("got %+v, want unique on authors.email", ce)
		}
		if isPostgres(db) && ce.Constraint != "idx_author_email" {
			t.Errorf("Constraint = %q, want idx_author_email", ce.Constraint)
		}
		if strings.Contains(err.Error(), "ada@example.com") {
			t.Errorf("message reveals the value: %v", err)
		}
		wantDriverError(t, db, err)
	})
}

func TestCompositeUniqueViolationNamesAllColumns(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		migrateLibrary(t, db)
		err := db.Create(&author{Email: "other@example.com", First: "Ada", Last: "Lovelace"}).Error
		ce := constraintErr(t, err)
		if !slices.Equal(ce.Columns, []string{"first", "last"}) || ce.Column() != "" {
			t.Errorf("Columns = %q, Column() = %q; want [first last] and \"\"", ce.Columns, ce.Column())
		}
		if !strings.Contains(err.Error(), `columns "first, last"`) {
			t.Errorf("message %q does not name the columns", err)
		}
	})
}

func TestPrimaryKeyViolation(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		a := migrateLibrary(t, db)
		err := db.Create(&author{ID: a.ID, Email: "x@example.com"}).Error
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Fatalf("err = %v, want gorm.ErrDuplicatedKey", err)
		}
		if ce := constraintErr(t, err); ce.Column() != "id" || ce.Table != "authors" {
			t.Errorf("got %+v, want authors.id", ce)
		}
	})
}

func TestForeignKeyViolation(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		migrateLibrary(t, db)
		err := db.Omit("Author").Create(&book{AuthorID: 424242, Title: "Notes"}).Error
		if !errors.Is(err, gorm.ErrForeignKeyViolated) {
			t.Fatalf("err = %v, want gorm.ErrForeignKeyViolated", err)
		}
		ce := constraintErr(t, err)
		if ce.Kind != database.ForeignKey {
			t.Errorf("Kind = %v, want foreign key", ce.Kind)
		}
		if isPostgres(db) {
			if ce.Constraint != "fk_books_author" || ce.Table != "books" || ce.Column() != "author_id" {
				t.Errorf("got %+v, want fk_books_author on books.author_id", ce)
			}
		} else if ce.Constraint != "" || ce.Table != "" || ce.Columns != nil {
			t.Errorf("got %+v: SQLite names nothing in a foreign-key error", ce)
		}
		wantDriverError(t, db, err)
	})
}

func TestNotNullViolation(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		migrateLibrary(t, db)
		err := db.Exec("INSERT INTO authors (email) VALUES (NULL)").Error
		if !errors.Is(err, database.ErrNotNullViolated) {
			t.Fatalf("err = %v, want ErrNotNullViolated", err)
		}
		if ce := constraintErr(t, err); ce.Kind != database.NotNull || ce.Table != "authors" || ce.Column() != "email" {
			t.Errorf("got %+v, want not null on authors.email", ce)
		}
	})
}

func TestCheckViolation(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		a := migrateLibrary(t, db)
		err := db.Create(&book{AuthorID: a.ID, Title: "x"}).Error
		if !errors.Is(err, gorm.ErrCheckConstraintViolated) {
			t.Fatalf("err = %v, want gorm.ErrCheckConstraintViolated", err)
		}
		if ce := constraintErr(t, err); ce.Kind != database.Check || ce.Constraint != "chk_title_length" {
			t.Errorf("got %+v, want check chk_title_length", ce)
		}
	})
}

func TestOtherErrorsAreNotConstraintErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		migrateLibrary(t, db)
		err := db.Exec("SELECT no_such_column FROM authors").Error
		if err == nil || errors.Is(err, database.ErrConstraint) {
			t.Fatalf("err = %v, want a plain error", err)
		}
		err = db.First(&author{}, "email = ?", "nobody").Error
		if !errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, database.ErrConstraint) {
			t.Fatalf("err = %v, want only gorm.ErrRecordNotFound", err)
		}
	})
}

func TestConstraintErrorInsideTransactionsAndSavepoints(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		migrateLibrary(t, db)
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&author{Email: "kept@example.com", First: "k"}).Error; err != nil {
				return err
			}
			inner := tx.Transaction(func(tx *gorm.DB) error {
				if err := tx.Create(&author{Email: "dropped@example.com", First: "x"}).Error; err != nil {
					return err
				}
				return tx.Create(&author{Email: "ada@example.com", First: "z"}).Error
			})
			if !errors.Is(inner, gorm.ErrDuplicatedKey) {
				t.Errorf("inner = %v, want gorm.ErrDuplicatedKey", inner)
			}
			if ce := constraintErr(t, inner); ce.Column() != "email" {
				t.Errorf("inner constraint error %+v, want column email", ce)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		if err := db.Model(&author{}).Order("email").Pluck("email", &emails).Error; err != nil {
			t.Fatal(err)
		}
		if want := []string{"ada@example.com", "kept@example.com"}; !slices.Equal(emails, want) {
			t.Fatalf("emails = %q, want %q: the savepoint was not rolled back alone", emails, want)
		}
	})
}

func TestConstraintErrorMessage(t *testing.T) {
	tests := []struct {
		err  *database.ConstraintError
		want string
	}{
		{&database.ConstraintError{Kind: database.Unique, Constraint: "uq", Table: "t", Columns: []string{"a"}}, `database: unique constraint "uq" violated (table "t", column "a")`},
		{&database.ConstraintError{Kind: database.ForeignKey}, `database: foreign key constraint violated`},
		{&database.ConstraintError{Kind: database.Check, Constraint: `we"ird`}, `database: check constraint "we\"ird" violated`},
		{&database.ConstraintError{Kind: database.NotNull, Table: "t", Columns: []string{"a", "b"}}, `database: not null constraint violated (table "t", columns "a, b")`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %s, want %s", got, tt.want)
		}
	}
}
