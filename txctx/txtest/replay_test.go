package txtest_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/internal/testdb"
	"github.com/gormext/gormext/txctx"
	"github.com/gormext/gormext/txctx/txtest"
)

// runNew runs fn in a RunNew and fails the test if RunNew's error is not
// want (nil for success).
func runNew(t *testing.T, ctx context.Context, want error, fn func(ctx context.Context) error) {
	t.Helper()
	if err := txctx.RunNew(ctx, fn); !errors.Is(err, want) || (want == nil && err != nil) {
		t.Errorf("RunNew: %v, want %v", err, want)
	}
}

// failingRun runs fn in a Run that then fails with errBoom, and checks the
// Run's error.
func failingRun(t *testing.T, ctx context.Context, fn func(ctx context.Context)) {
	t.Helper()
	err := txctx.Run(ctx, func(ctx context.Context) error {
		fn(ctx)
		return errBoom
	})
	if !errors.Is(err, errBoom) || errors.Is(err, txctx.ErrTestReplay) {
		t.Errorf("enclosing Run: %v, want errBoom alone", err)
	}
}

func exec(t *testing.T, ctx context.Context, sql string, vars ...any) {
	t.Helper()
	if err := txctx.DB(ctx).Exec(sql, vars...).Error; err != nil {
		t.Errorf("%s: %v", sql, err)
	}
}

func mustWrite(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	if err := write(ctx, text); err != nil {
		t.Errorf("write %q: %v", text, err)
	}
}

// seenAt reads the notes with plain SQL from a RunNew nested depth deep:
// on PostgreSQL each depth of RunNew is a test transaction of its own, and
// sees only the rows of its depth; on SQLite every depth sees every row.
func seenAt(t *testing.T, ctx context.Context, depth int) []string {
	t.Helper()
	var seen []string
	var read func(ctx context.Context) error
	read = func(ctx context.Context) error {
		if depth--; depth > 0 {
			return txctx.RunNew(ctx, read)
		}
		seen = textsIn(t, ctx)
		return nil
	}
	if err := txctx.RunNew(ctx, read); err != nil {
		t.Fatal(err)
	}
	return seen
}

// A RunNew that returned nil keeps its writes when a Run (savepoint) around
// it rolls back, on both databases, whatever the path of its statements
// and however RunNew and Run nest; a RunNew that failed keeps nothing; and
// nothing is left after the test.
func TestRunNewWritesSurviveEnclosingRollbacks(t *testing.T) {
	cases := []struct {
		name string
		body func(t *testing.T, ctx context.Context)
		// want[i]: the rows a RunNew at depth i+1 sees afterwards on
		// PostgreSQL; on SQLite, where every depth sees every row, their
		// union.
		want [][]string
	}{
		{
			name: "Exec insert then update",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					mustWrite(t, ctx, "work")
					runNew(t, ctx, nil, func(ctx context.Context) error {
						exec(t, ctx, "INSERT INTO notes (text) VALUES (?)", "exec")
						exec(t, ctx, "UPDATE notes SET text = ? WHERE text = ?", "exec2", "exec")
						return nil
					})
				})
			},
			want: [][]string{{"exec2"}},
		},
		{
			name: "Raw INSERT RETURNING read with Scan",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					runNew(t, ctx, nil, func(ctx context.Context) error {
						var got string
						return txctx.DB(ctx).Raw("INSERT INTO notes (text) VALUES (?) RETURNING text", "raw").Scan(&got).Error
					})
				})
			},
			want: [][]string{{"raw"}},
		},
		{
			name: "Update and Delete of rows committed before",
			body: func(t *testing.T, ctx context.Context) {
				runNew(t, ctx, nil, func(ctx context.Context) error {
					mustWrite(t, ctx, "a")
					mustWrite(t, ctx, "b")
					return nil
				})
				failingRun(t, ctx, func(ctx context.Context) {
					runNew(t, ctx, nil, func(ctx context.Context) error {
						db := txctx.DB(ctx)
						if err := db.Model(&note{}).Where("text = ?", "a").Update("text", "a2").Error; err != nil {
							return err
						}
						return db.Where("text = ?", "b").Delete(&note{}).Error
					})
				})
			},
			want: [][]string{{"a2"}},
		},
		{
			name: "several RunNews, one failing",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "a") })
					runNew(t, ctx, errBoom, func(ctx context.Context) error {
						mustWrite(t, ctx, "failed")
						return errBoom
					})
					runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "c") })
				})
			},
			want: [][]string{{"a", "c"}},
		},
		{
			name: "RunNew in a nested Run, the outer Run fails",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					mustWrite(t, ctx, "w1")
					err := txctx.Run(ctx, func(ctx context.Context) error {
						mustWrite(t, ctx, "w2")
						runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "audit") })
						return nil
					})
					if err != nil {
						t.Error(err)
					}
				})
			},
			want: [][]string{{"audit"}},
		},
		{
			name: "RunNew in a nested Run that fails, then the outer Run fails",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					err := txctx.Run(ctx, func(ctx context.Context) error {
						mustWrite(t, ctx, "w2")
						runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "audit") })
						return errBoom
					})
					if !errors.Is(err, errBoom) || errors.Is(err, txctx.ErrTestReplay) {
						t.Errorf("nested Run: %v, want errBoom alone", err)
					}
					mustWrite(t, ctx, "after")
				})
			},
			want: [][]string{{"audit"}},
		},
		{
			name: "a Run that fails inside the RunNew",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					runNew(t, ctx, nil, func(ctx context.Context) error {
						mustWrite(t, ctx, "keep")
						_ = txctx.Run(ctx, func(ctx context.Context) error {
							mustWrite(t, ctx, "drop")
							return errBoom
						})
						return write(ctx, "keep2")
					})
				})
			},
			want: [][]string{{"keep", "keep2"}},
		},
		{
			name: "RunNew inside RunNew, both succeed",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					runNew(t, ctx, nil, func(ctx context.Context) error {
						mustWrite(t, ctx, "outer")
						runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "inner") })
						return nil
					})
				})
			},
			want: [][]string{{"outer"}, {"inner"}},
		},
		{
			name: "RunNew inside a RunNew that fails",
			body: func(t *testing.T, ctx context.Context) {
				failingRun(t, ctx, func(ctx context.Context) {
					runNew(t, ctx, errBoom, func(ctx context.Context) error {
						mustWrite(t, ctx, "outer")
						runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "inner") })
						return errBoom
					})
				})
			},
			want: [][]string{nil, {"inner"}},
		},
		{
			name: "RunNew inside a Run inside a RunNew that fails",
			body: func(t *testing.T, ctx context.Context) {
				runNew(t, ctx, errBoom, func(ctx context.Context) error {
					mustWrite(t, ctx, "outer")
					err := txctx.Run(ctx, func(ctx context.Context) error {
						runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "inner") })
						return errBoom
					})
					if !errors.Is(err, errBoom) || errors.Is(err, txctx.ErrTestReplay) {
						t.Errorf("Run in RunNew: %v, want errBoom alone", err)
					}
					return errBoom
				})
			},
			want: [][]string{nil, {"inner"}},
		},
		{
			name: "the enclosing Run panics",
			body: func(t *testing.T, ctx context.Context) {
				func() {
					defer func() {
						if r := recover(); r != errBoom {
							t.Errorf("recovered %v, want errBoom", r)
						}
					}()
					_ = txctx.Run(ctx, func(ctx context.Context) error {
						runNew(t, ctx, nil, func(ctx context.Context) error { return write(ctx, "audit") })
						panic(errBoom)
					})
				}()
			},
			want: [][]string{{"audit"}},
		},
	}
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&note{}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Run("test", func(t *testing.T) {
					ctx := txtest.Context(t, db)
					tc.body(t, ctx)
					for depth, want := range tc.want {
						if db.Dialector.Name() == "sqlite" {
							want = slices.Sorted(slices.Values(slices.Concat(tc.want...)))
						}
						if got := seenAt(t, ctx, depth+1); !slices.Equal(got, want) {
							t.Errorf("a RunNew at depth %d sees %q, want %q", depth+1, got, want)
						}
					}
				})
				if got := texts(t, db); len(got) != 0 {
					t.Fatalf("rows after the test: %q, want none", got)
				}
			})
		}
	})
}

// The AfterCommit callbacks of a RunNew run once, when it returns: the
// replay of its writes after an enclosing rollback does not run them again.
func TestRunNewAfterCommitRunsOnceDespiteReplay(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&note{}); err != nil {
			t.Fatal(err)
		}
		ctx := txtest.Context(t, db)
		ran := 0
		failingRun(t, ctx, func(ctx context.Context) {
			_ = txctx.Run(ctx, func(ctx context.Context) error {
				runNew(t, ctx, nil, func(ctx context.Context) error {
					txctx.AfterCommit(ctx, func(context.Context) { ran++ })
					return write(ctx, "audit")
				})
				return errBoom
			})
		})
		if ran != 1 {
			t.Errorf("AfterCommit of the RunNew ran %d times, want 1", ran)
		}
	})
}

// A row created by a RunNew keeps its integer key through the replay, so
// that a row referring to it (or the caller holding the struct) still
// finds it.
func TestRunNewReplayKeepsAutoIncrementKeys(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&note{}); err != nil {
			t.Fatal(err)
		}
		t.Run("test", func(t *testing.T) {
			ctx := txtest.Context(t, db)
			var one note
			many := []note{{Text: "many1"}, {Text: "many2"}}
			failingRun(t, ctx, func(ctx context.Context) {
				mustWrite(t, ctx, "work1")
				mustWrite(t, ctx, "work2")
				runNew(t, ctx, nil, func(ctx context.Context) error {
					one = note{Text: "one"}
					if err := txctx.DB(ctx).Create(&one).Error; err != nil {
						return err
					}
					return txctx.DB(ctx).Create(&many).Error
				})
			})
			var got []note
			runNew(t, ctx, nil, func(ctx context.Context) error {
				return txctx.DB(ctx).Raw("SELECT id, text FROM notes ORDER BY text").Scan(&got).Error
			})
			want := []note{many[0], many[1], one}
			if !slices.Equal(got, want) {
				t.Errorf("rows after the replay: %+v, want %+v", got, want)
			}
		})
		if got := texts(t, db); len(got) != 0 {
			t.Fatalf("rows after the test: %q, want none", got)
		}
	})
}

// On SQLite a replayed statement that no longer succeeds (here: the table
// it writes was created by the Run that rolled back) is reported through
// the enclosing Run's error, never dropped silently.
func TestRunNewReplayFailureIsReported(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if db.Dialector.Name() != "sqlite" {
			t.Skip("writes of RunNew are replayed on SQLite only; on PostgreSQL they live in a transaction of their own")
		}
		ctx := txtest.Context(t, db)
		err := txctx.Run(ctx, func(ctx context.Context) error {
			exec(t, ctx, "CREATE TABLE scratch (x text)")
			runNew(t, ctx, nil, func(ctx context.Context) error {
				return txctx.DB(ctx).Exec("INSERT INTO scratch (x) VALUES (?)", "a").Error
			})
			return errBoom
		})
		if !errors.Is(err, errBoom) || !errors.Is(err, txctx.ErrTestReplay) {
			t.Fatalf("err = %v, want errBoom joined with ErrTestReplay", err)
		}
		if errors.Is(err, txctx.ErrRollback) {
			t.Errorf("err = %v: a replay failure is not a failed rollback", err)
		}
	})
}

// event is an entity of package entities: its key is a UUID generated by
// the hooks plugin before the INSERT, and its timestamps are set there too.
type event struct {
	entities.BaseEntity
	entities.IdentifiableEntity
	entities.DatedEntity
	Text string
}

// An entity created by a RunNew is replayed with the very ID and
// timestamps it was created with: they are in the INSERT.
func TestRunNewReplayKeepsEntityIDsAndTimestamps(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&event{}); err != nil {
			t.Fatal(err)
		}
		t.Run("test", func(t *testing.T) {
			ctx := txtest.Context(t, db)
			var created event
			failingRun(t, ctx, func(ctx context.Context) {
				if err := txctx.DB(ctx).Create(&event{Text: "work"}).Error; err != nil {
					t.Fatal(err)
				}
				runNew(t, ctx, nil, func(ctx context.Context) error {
					created = event{Text: "audit"}
					return txctx.DB(ctx).Create(&created).Error
				})
			})
			var got []event
			runNew(t, ctx, nil, func(ctx context.Context) error {
				return txctx.DB(ctx).Raw("SELECT id, created_at, updated_at, text FROM events").Scan(&got).Error
			})
			if len(got) != 1 || got[0].ID != created.ID || !got[0].CreatedAt.Equal(created.CreatedAt) || got[0].Text != "audit" {
				t.Errorf("rows after the replay: %+v, want only %+v", got, created)
			}
		})
		var n int64
		if err := db.Raw("SELECT count(*) FROM events").Scan(&n).Error; err != nil || n != 0 {
			t.Fatalf("rows after the test: %d (%v), want none", n, err)
		}
	})
}
