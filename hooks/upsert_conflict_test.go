package hooks_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
)

// Tag has a unique name besides its UUID key: the shape of every
// "get or create by natural key" upsert.
type Tag struct {
	entities.Entity
	Name string `gorm:"size:64;uniqueIndex"`
	Note string
}

// Story names its tags (many2many) and owns its replies (has-many).
type Story struct {
	entities.Entity
	Title   string
	Tags    []Tag `gorm:"many2many:story_tags"`
	Replies []Reply
}

// Reply belongs to a Story.
type Reply struct {
	entities.Entity
	StoryID uuid.UUID `gorm:"type:uuid"`
	Body    string
}

// Maker is the belongs-to side of Gadget, unique by name.
type Maker struct {
	entities.Entity
	Name string `gorm:"size:64;uniqueIndex"`
}

// Gadget belongs to a Maker.
type Gadget struct {
	entities.Entity
	Name    string
	MakerID uuid.UUID `gorm:"type:uuid"`
	Maker   Maker
}

// Meter is versioned and unique by key.
type Meter struct {
	entities.Entity
	entities.VersionedEntity
	Key string `gorm:"size:64;uniqueIndex"`
	N   int
}

// storedTag is a tags row read back with plain SQL.
type storedTag struct {
	ID                   uuid.UUID
	CreatedAt, UpdatedAt time.Time
	Note                 string
}

func readTag(t *testing.T, db *gorm.DB, name string) (storedTag, bool) {
	t.Helper()
	return readTagFrom(t, db, "tags", name)
}

func readTagFrom(t *testing.T, db *gorm.DB, table, name string) (storedTag, bool) {
	t.Helper()
	var s storedTag
	rows, err := db.Raw("SELECT id, created_at, updated_at, note FROM "+table+" WHERE name = ?", name).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	if !rows.Next() {
		return s, false
	}
	if err := rows.Scan(&s.ID, &s.CreatedAt, &s.UpdatedAt, &s.Note); err != nil {
		t.Fatal(err)
	}
	return s, true
}

func countRows(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// conflictPaths are the ON CONFLICT clauses of the call-path matrix, with
// whether the stored note of an existing row becomes the new one.
var conflictPaths = []struct {
	name      string
	clause    clause.OnConflict
	overwrite bool
}{
	{"DoNothing", clause.OnConflict{DoNothing: true}, false},
	{"DoNothing on name", clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoNothing: true}, false},
	{"UpdateAll on name", clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, UpdateAll: true}, true},
	{"DoUpdates on name", clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoUpdates: clause.AssignmentColumns([]string{"note"})}, true},
}

// createShapes create the named tags in one statement, each its own way,
// and return pointers to the structs the caller holds afterwards.
var createShapes = []struct {
	name   string
	create func(db *gorm.DB, names ...string) ([]*Tag, error)
}{
	{"struct", func(db *gorm.DB, names ...string) ([]*Tag, error) {
		var out []*Tag
		for _, n := range names {
			tag := &Tag{Name: n, Note: "new"}
			if err := db.Create(tag).Error; err != nil {
				return out, err
			}
			out = append(out, tag)
		}
		return out, nil
	}},
	{"slice", func(db *gorm.DB, names ...string) ([]*Tag, error) {
		rows := make([]Tag, len(names))
		out := make([]*Tag, len(names))
		for i, n := range names {
			rows[i] = Tag{Name: n, Note: "new"}
			out[i] = &rows[i]
		}
		return out, db.Create(&rows).Error
	}},
	{"slice of pointers", func(db *gorm.DB, names ...string) ([]*Tag, error) {
		out := make([]*Tag, len(names))
		for i, n := range names {
			out[i] = &Tag{Name: n, Note: "new"}
		}
		return out, db.Create(&out).Error
	}},
	{"CreateInBatches", func(db *gorm.DB, names ...string) ([]*Tag, error) {
		out := make([]*Tag, len(names))
		for i, n := range names {
			out[i] = &Tag{Name: n, Note: "new"}
		}
		return out, db.CreateInBatches(&out, 2).Error
	}},
}

// TestUpsertLeavesTheStoredRowsIDAndTimes: after a create with ON CONFLICT
// that hits an existing unique name, every struct holds the ID and times
// of the row that is stored, and the existing row keeps its CreatedAt.
func TestUpsertLeavesTheStoredRowsIDAndTimes(t *testing.T) {
	for _, path := range conflictPaths {
		for _, shape := range createShapes {
			t.Run(path.name+"/"+shape.name, func(t *testing.T) {
				c := newClock()
				run(t, []hooks.Option{hooks.WithClock(c.Now)}, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
					old := Tag{Name: "old", Note: "old"}
					mustCreate(t, db, &old)
					c.Advance(time.Hour)
					tags, err := shape.create(db.Clauses(path.clause), "a", "old", "b")
					if err != nil {
						t.Fatal(err)
					}
					checkTags(t, db, tags, old, c.stored(), path.overwrite)
				})
			})
		}
	}
}

func checkTags(t *testing.T, db *gorm.DB, tags []*Tag, old Tag, now time.Time, overwrite bool) {
	t.Helper()
	for _, tag := range tags {
		s, ok := readTag(t, db, tag.Name)
		if !ok {
			t.Fatalf("no row stored for %q", tag.Name)
		}
		if tag.ID != s.ID {
			t.Fatalf("%q: struct ID %v, stored row's ID %v", tag.Name, tag.ID, s.ID)
		}
		if !tag.CreatedAt.Equal(s.CreatedAt) || !tag.UpdatedAt.Equal(s.UpdatedAt) {
			t.Fatalf("%q: struct times %v/%v, stored %v/%v", tag.Name, tag.CreatedAt, tag.UpdatedAt, s.CreatedAt, s.UpdatedAt)
		}
		if tag.Name != old.Name {
			if !s.CreatedAt.Equal(now) || s.Note != "new" {
				t.Fatalf("%q: stored %+v, want a new row at %v", tag.Name, s, now)
			}
			continue
		}
		if s.ID != old.ID || !s.CreatedAt.Equal(old.CreatedAt) {
			t.Fatalf("existing row now %+v, want ID %v and CreatedAt %v kept", s, old.ID, old.CreatedAt)
		}
		if want := map[bool]string{true: "new", false: "old"}[overwrite]; s.Note != want {
			t.Fatalf("existing row's note %q, want %q", s.Note, want)
		}
	}
	if n := countRows(t, db, "SELECT count(*) FROM tags"); n != int64(len(tags)) {
		t.Fatalf("%d tags stored, want %d", n, len(tags))
	}
}

// TestUpsertedStructCanBeSavedAndTaken: the struct an upsert leaves is
// usable: Take by its ID finds the row, Save updates that row.
func TestUpsertedStructCanBeSavedAndTaken(t *testing.T) {
	for _, path := range conflictPaths {
		t.Run(path.name, func(t *testing.T) {
			run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
				old := Tag{Name: "old", Note: "old"}
				mustCreate(t, db, &old)
				tag := Tag{Name: "old", Note: "new"}
				if err := db.Clauses(path.clause).Create(&tag).Error; err != nil {
					t.Fatal(err)
				}
				var got Tag
				if err := db.Take(&got, "id = ?", tag.ID).Error; err != nil {
					t.Fatalf("Take by the upserted ID: %v", err)
				}
				tag.Note = "saved"
				if err := db.Save(&tag).Error; err != nil {
					t.Fatal(err)
				}
				if n := countRows(t, db, "SELECT count(*) FROM tags WHERE id = ? AND note = ?", old.ID, "saved"); n != 1 {
					t.Fatalf("Save did not update the stored row")
				}
			})
		})
	}
}

// TestUpsertOfVersionedRow: DO NOTHING leaves the stored version; DO
// UPDATE counts as an update (version + 1) and leaves it in the struct.
func TestUpsertOfVersionedRow(t *testing.T) {
	run(t, nil, []any{&Meter{}}, func(t *testing.T, db *gorm.DB) {
		m := Meter{Key: "k", N: 1}
		mustCreate(t, db, &m)
		if err := db.Model(&m).Update("n", 2).Error; err != nil {
			t.Fatal(err)
		}
		onKey := []clause.Column{{Name: "key"}}
		nothing := Meter{Key: "k", N: 9}
		if err := db.Clauses(clause.OnConflict{Columns: onKey, DoNothing: true}).Create(&nothing).Error; err != nil {
			t.Fatal(err)
		}
		if nothing.ID != m.ID || nothing.Version != 2 {
			t.Fatalf("after DO NOTHING: ID %v version %d; want %v and 2", nothing.ID, nothing.Version, m.ID)
		}
		upd := Meter{Key: "k", N: 3}
		if err := db.Clauses(clause.OnConflict{Columns: onKey, DoUpdates: clause.AssignmentColumns([]string{"n"})}).Create(&upd).Error; err != nil {
			t.Fatal(err)
		}
		var n, version int64
		if err := db.Raw("SELECT n, version FROM meters WHERE key = ?", "k").Row().Scan(&n, &version); err != nil {
			t.Fatal(err)
		}
		if n != 3 || version != 3 || upd.ID != m.ID || upd.Version != 3 {
			t.Fatalf("after DO UPDATE: stored n %d version %d, struct ID %v version %d; want 3, 3, %v, 3", n, version, upd.ID, upd.Version, m.ID)
		}
		m.N = 4 // m was read at version 2: the upsert made it stale
		if err := db.Save(&m).Error; !errors.Is(err, entities.ErrStaleEntity) {
			t.Fatalf("Save of a copy older than the upsert: %v, want ErrStaleEntity", err)
		}
	})
}

// TestManyToManyNamesAnExistingTag: a create that names an existing tag by
// its unique name links to that tag (no foreign-key violation), by every
// path that saves many2many associations.
func TestManyToManyNamesAnExistingTag(t *testing.T) {
	type path struct {
		name string
		link func(db *gorm.DB, tags []Tag) (*Story, error)
	}
	paths := []path{
		{"Create", func(db *gorm.DB, tags []Tag) (*Story, error) {
			s := &Story{Title: "s", Tags: tags}
			return s, db.Create(s).Error
		}},
		{"Create slice", func(db *gorm.DB, tags []Tag) (*Story, error) {
			s := []*Story{{Title: "s", Tags: tags}, {Title: "t"}}
			return s[0], db.Create(&s).Error
		}},
		{"Save new", func(db *gorm.DB, tags []Tag) (*Story, error) {
			s := &Story{Title: "s", Tags: tags}
			return s, db.Save(s).Error
		}},
		{"Association Append", func(db *gorm.DB, tags []Tag) (*Story, error) {
			s := &Story{Title: "s"}
			if err := db.Create(s).Error; err != nil {
				return s, err
			}
			err := db.Model(s).Association("Tags").Append(tags)
			return s, err
		}},
		{"Association Replace", func(db *gorm.DB, tags []Tag) (*Story, error) {
			s := &Story{Title: "s", Tags: []Tag{{Name: "gone"}}}
			if err := db.Create(s).Error; err != nil {
				return s, err
			}
			err := db.Model(s).Association("Tags").Replace(tags)
			return s, err
		}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			run(t, nil, []any{&Tag{}, &Story{}, &Reply{}}, func(t *testing.T, db *gorm.DB) {
				old := Tag{Name: "go", Note: "old"}
				mustCreate(t, db, &old)
				s, err := p.link(db, []Tag{{Name: "go"}, {Name: "fresh"}})
				if err != nil {
					t.Fatal(err)
				}
				checkLinks(t, db, s, old)
			})
		})
	}
}

func checkLinks(t *testing.T, db *gorm.DB, s *Story, old Tag) {
	t.Helper()
	for _, tag := range s.Tags {
		stored, ok := readTag(t, db, tag.Name)
		if !ok || stored.ID != tag.ID {
			t.Fatalf("tag %q: struct ID %v, stored %+v (found %v)", tag.Name, tag.ID, stored, ok)
		}
	}
	if s.Tags[0].ID != old.ID {
		t.Fatalf("the existing tag got ID %v, want %v", s.Tags[0].ID, old.ID)
	}
	q := "SELECT count(*) FROM story_tags st JOIN tags t ON t.id = st.tag_id WHERE st.story_id = ?"
	if n := countRows(t, db, q, s.ID); n != 2 {
		t.Fatalf("story linked to %d existing tags, want 2", n)
	}
	if n := countRows(t, db, "SELECT count(*) FROM tags WHERE name = ?", "go"); n != 1 {
		t.Fatalf("%d tags named go", n)
	}
}

// TestFullSaveAssociationsUpdatesTagsByID: with FullSaveAssociations the
// tags are upserted on their primary key; a tag given with its ID is
// updated and linked.
func TestFullSaveAssociationsUpdatesTagsByID(t *testing.T) {
	run(t, nil, []any{&Tag{}, &Story{}, &Reply{}}, func(t *testing.T, db *gorm.DB) {
		old := Tag{Name: "go", Note: "old"}
		mustCreate(t, db, &old)
		known := Tag{Name: "go", Note: "renamed"}
		known.ID = old.ID
		s := Story{Title: "s", Tags: []Tag{known, {Name: "fresh"}}}
		if err := db.Session(&gorm.Session{FullSaveAssociations: true}).Create(&s).Error; err != nil {
			t.Fatal(err)
		}
		checkLinks(t, db, &s, old)
		stored, _ := readTag(t, db, "go")
		if stored.Note != "renamed" || !stored.CreatedAt.Equal(old.CreatedAt) {
			t.Fatalf("tag go stored as %+v; want note renamed, CreatedAt %v kept", stored, old.CreatedAt)
		}
	})
}

// TestHasManyAndBelongsToKeepStoredIDs: replies (has-many, upserted on
// their key) and a maker named by its unique name (belongs-to) reference
// rows that exist.
func TestHasManyAndBelongsToKeepStoredIDs(t *testing.T) {
	run(t, nil, []any{&Tag{}, &Story{}, &Reply{}, &Maker{}, &Gadget{}}, func(t *testing.T, db *gorm.DB) {
		s := Story{Title: "s", Replies: []Reply{{Body: "a"}, {Body: "b"}}}
		mustCreate(t, db, &s)
		for _, r := range s.Replies {
			if n := countRows(t, db, "SELECT count(*) FROM replies WHERE id = ? AND story_id = ?", r.ID, s.ID); n != 1 {
				t.Fatalf("reply %q (ID %v) not stored under its story", r.Body, r.ID)
			}
		}
		acme := Maker{Name: "acme"}
		mustCreate(t, db, &acme)
		for i, g := range []*Gadget{{Name: "g1", Maker: Maker{Name: "acme"}}, {Name: "g2", Maker: Maker{Name: "acme"}}} {
			if err := db.Create(g).Error; err != nil {
				t.Fatalf("gadget %d: %v", i, err)
			}
			if g.MakerID != acme.ID || g.Maker.ID != acme.ID {
				t.Fatalf("gadget %d: MakerID %v, Maker.ID %v; want %v", i, g.MakerID, g.Maker.ID, acme.ID)
			}
		}
		if n := countRows(t, db, "SELECT count(*) FROM gadgets WHERE maker_id = ?", acme.ID); n != 2 {
			t.Fatalf("%d gadgets reference the existing maker, want 2", n)
		}
	})
}

// TestUpsertWithoutConflictSendsOneStatement: when every row is inserted,
// an upsert costs nothing more than GORM's own INSERT.
func TestUpsertWithoutConflictSendsOneStatement(t *testing.T) {
	for _, path := range conflictPaths[:2] {
		t.Run(path.name, func(t *testing.T) {
			run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
				tx, rec := recording(db.Session(&gorm.Session{SkipDefaultTransaction: true}))
				tags := []Tag{{Name: "a"}, {Name: "b"}}
				if err := tx.Clauses(path.clause).Create(&tags).Error; err != nil {
					t.Fatal(err)
				}
				if sent := rec.Sent(); len(sent) != 1 {
					t.Fatalf("sent %d statements, want the INSERT alone: %q", len(sent), sent)
				}
			})
		})
	}
}

// Seat is unique by (row, number) and soft-deletable.
type Seat struct {
	entities.Entity
	entities.SoftDeletableEntity
	Row    string `gorm:"size:8;uniqueIndex:idx_seat"`
	Number int    `gorm:"uniqueIndex:idx_seat"`
	Holder string
}

// Stamped has a column the database fills (a default GORM cannot parse),
// so GORM sends its creates with RETURNING.
type Stamped struct {
	entities.Entity
	Name string    `gorm:"size:64;uniqueIndex"`
	Seen time.Time `gorm:"default:CURRENT_TIMESTAMP"`
}

// TestUpsertEdgeCases: keys repeated within one statement, a composite
// unique index, a preset ID that is already taken, a soft-deleted row
// holding the key.
func TestUpsertEdgeCases(t *testing.T) {
	doNothing := clause.OnConflict{DoNothing: true}
	t.Run("a new name twice in one statement", func(t *testing.T) {
		run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
			tags := []Tag{{Name: "x", Note: "1"}, {Name: "x", Note: "2"}}
			if err := db.Clauses(doNothing).Create(&tags).Error; err != nil {
				t.Fatal(err)
			}
			s, _ := readTag(t, db, "x")
			if tags[0].ID != s.ID || tags[1].ID != s.ID || s.Note != "1" {
				t.Fatalf("IDs %v, %v; stored %+v", tags[0].ID, tags[1].ID, s)
			}
		})
	})
	t.Run("columns the database fills (RETURNING)", func(t *testing.T) {
		run(t, nil, []any{&Stamped{}}, func(t *testing.T, db *gorm.DB) {
			old := Stamped{Name: "old"}
			mustCreate(t, db, &old)
			rows := []Stamped{{Name: "old"}, {Name: "new"}}
			if err := db.Clauses(doNothing).Create(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if rows[0].ID != old.ID || countRows(t, db, "SELECT count(*) FROM stampeds WHERE id = ? AND name = ?", rows[1].ID, "new") != 1 {
				t.Fatalf("IDs %v, %v; want %v and the new row's", rows[0].ID, rows[1].ID, old.ID)
			}
		})
	})
	t.Run("FullSaveAssociations with a new tag of an existing name", func(t *testing.T) {
		run(t, nil, []any{&Tag{}, &Story{}, &Reply{}}, func(t *testing.T, db *gorm.DB) {
			mustCreate(t, db, &Tag{Name: "go"})
			s := Story{Title: "s", Tags: []Tag{{Name: "go"}}}
			if err := db.Session(&gorm.Session{FullSaveAssociations: true}).Create(&s).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
				t.Fatalf("err = %v, want a unique violation (upserts on the primary key)", err)
			}
		})
	})
	t.Run("preset ID already taken", func(t *testing.T) {
		run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
			old := Tag{Name: "old"}
			mustCreate(t, db, &old)
			tag := Tag{Name: "other"}
			tag.ID = old.ID
			if err := db.Clauses(doNothing).Create(&tag).Error; err != nil {
				t.Fatal(err)
			}
			if tag.ID != old.ID || countRows(t, db, "SELECT count(*) FROM tags") != 1 {
				t.Fatalf("ID %v, want the stored row's %v", tag.ID, old.ID)
			}
		})
	})
	t.Run("composite unique index and soft-deleted row", func(t *testing.T) {
		run(t, nil, []any{&Seat{}}, func(t *testing.T, db *gorm.DB) {
			a1 := Seat{Row: "A", Number: 1, Holder: "ann"}
			mustCreate(t, db, &a1)
			if err := db.Delete(&a1).Error; err != nil {
				t.Fatal(err)
			}
			seats := []*Seat{{Row: "A", Number: 1, Holder: "bob"}, {Row: "A", Number: 2, Holder: "cy"}}
			if err := db.Clauses(doNothing).Create(&seats).Error; err != nil {
				t.Fatal(err)
			}
			if seats[0].ID != a1.ID || !seats[0].DeletedAt.Valid {
				t.Fatalf("seat A1: ID %v deleted %v; want the soft-deleted row %v", seats[0].ID, seats[0].DeletedAt, a1.ID)
			}
			if countRows(t, db, "SELECT count(*) FROM seats WHERE id = ? AND number = 2", seats[1].ID) != 1 {
				t.Fatalf("seat A2 not stored under its ID %v", seats[1].ID)
			}
			upd := clause.OnConflict{Columns: []clause.Column{{Name: "row"}, {Name: "number"}}, DoUpdates: clause.AssignmentColumns([]string{"holder"})}
			again := []Seat{{Row: "A", Number: 2, Holder: "dee"}, {Row: "A", Number: 1, Holder: "eve"}}
			if err := db.Clauses(upd).Create(&again).Error; err != nil {
				t.Fatal(err)
			}
			if again[0].ID != seats[1].ID || again[1].ID != a1.ID {
				t.Fatalf("IDs after DO UPDATE %v, %v; want %v, %v", again[0].ID, again[1].ID, seats[1].ID, a1.ID)
			}
		})
	})
}

// TestUpsertUnderConfigurations: the stored row's ID under the GORM
// configurations a service may use.
func TestUpsertUnderConfigurations(t *testing.T) {
	configs := []struct {
		name  string
		table string
		setup func(db *gorm.DB) *gorm.DB
	}{
		{"default", "tags", func(db *gorm.DB) *gorm.DB { return db }},
		{"SkipDefaultTransaction", "tags", func(db *gorm.DB) *gorm.DB { return db.Session(&gorm.Session{SkipDefaultTransaction: true}) }},
		{"PrepareStmt", "tags", func(db *gorm.DB) *gorm.DB {
			// With any other TTL, GORM's statement cache starts a goroutine
			// that never ends (gorm/internal/lru), which goleak reports.
			db.Config.PrepareStmtTTL = 10 * 365 * 24 * time.Hour
			return db.Session(&gorm.Session{PrepareStmt: true})
		}},
		{"CreateBatchSize", "tags", func(db *gorm.DB) *gorm.DB { return db.Session(&gorm.Session{CreateBatchSize: 1}) }},
		{"table prefix, singular", "p_tag", func(db *gorm.DB) *gorm.DB {
			db.Config.NamingStrategy = schema.NamingStrategy{TablePrefix: "p_", SingularTable: true}
			return db
		}},
	}
	for _, cfg := range configs {
		for _, path := range conflictPaths {
			t.Run(cfg.name+"/"+path.name, func(t *testing.T) {
				run(t, nil, nil, func(t *testing.T, db *gorm.DB) {
					db = cfg.setup(db)
					if err := db.AutoMigrate(&Tag{}); err != nil {
						t.Fatal(err)
					}
					old := Tag{Name: "old"}
					mustCreate(t, db, &old)
					tags := []Tag{{Name: "old", Note: "new"}, {Name: "b", Note: "new"}}
					if err := db.Clauses(path.clause).Create(&tags).Error; err != nil {
						t.Fatal(err)
					}
					for _, tag := range tags {
						if s, ok := readTagFrom(t, db, cfg.table, tag.Name); !ok || s.ID != tag.ID {
							t.Fatalf("%q: struct ID %v, stored %+v", tag.Name, tag.ID, s)
						}
					}
					if tags[0].ID != old.ID {
						t.Fatalf("existing tag: ID %v, want %v", tags[0].ID, old.ID)
					}
				})
			})
		}
	}
}

// TestUpsertDryRunReadsNothing: a DryRun upsert sends no SQL, not even the
// read-back. (GORM itself sends BEGIN under DryRun unless default
// transactions are off.)
func TestUpsertDryRunReadsNothing(t *testing.T) {
	run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
		tx, rec := recording(db.Session(&gorm.Session{DryRun: true, SkipDefaultTransaction: true}))
		tag := Tag{Name: "x"}
		if err := tx.Clauses(conflictPaths[0].clause).Create(&tag).Error; err != nil {
			t.Fatal(err)
		}
		assertNothingSent(t, rec)
	})
}

// TestUpsertWithoutTargetOnSQLite: SQLite accepts DO UPDATE without a
// conflict target (any unique key), and lets two rows of one statement
// update the same row.
func TestUpsertWithoutTargetOnSQLite(t *testing.T) {
	run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
		if db.Dialector.Name() != "sqlite" {
			t.Skip("PostgreSQL requires a conflict target for DO UPDATE")
		}
		old := Tag{Name: "old", Note: "old"}
		mustCreate(t, db, &old)
		rows := []Tag{{Name: "old", Note: "1"}, {Name: "old", Note: "2"}, {Name: "b"}}
		if err := db.Clauses(clause.OnConflict{DoUpdates: clause.AssignmentColumns([]string{"note"})}).Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		s, _ := readTag(t, db, "old")
		if rows[0].ID != old.ID || rows[1].ID != old.ID || s.Note != "2" {
			t.Fatalf("IDs %v, %v; want %v; stored %+v", rows[0].ID, rows[1].ID, old.ID, s)
		}
		if b, _ := readTag(t, db, "b"); b.ID != rows[2].ID {
			t.Fatalf("new row stored as %v, struct %v", b.ID, rows[2].ID)
		}
	})
}

// TestUpsertReadBackIsOnePlainSelect: the read-back is one SELECT on the
// statement's connection, without a row lock, which PostgreSQL would refuse
// to a role without the UPDATE privilege.
func TestUpsertReadBackIsOnePlainSelect(t *testing.T) {
	run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
		mustCreate(t, db, &Tag{Name: "old"})
		tx, rec := recording(db.Session(&gorm.Session{SkipDefaultTransaction: true}))
		tags := []Tag{{Name: "old"}, {Name: "b"}}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&tags).Error; err != nil {
			t.Fatal(err)
		}
		sent := rec.Sent()
		if len(sent) != 2 || !strings.HasPrefix(sent[1], "SELECT") || strings.Contains(sent[1], " FOR ") {
			t.Fatalf("sent %q, want the INSERT and one SELECT without a lock", sent)
		}
	})
}

// An idempotent insert by a role that may only insert and read (an audit
// log, an inbox) succeeds on a duplicate, and the struct gets the stored
// row's ID: the read-back needs no privilege beyond SELECT.
func TestUpsertByAnInsertOnlyRole(t *testing.T) {
	run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
		if db.Dialector.Name() != "postgres" {
			t.Skip("roles and privileges are PostgreSQL's")
		}
		old := Tag{Name: "old"}
		mustCreate(t, db, &old)
		role := fmt.Sprintf("gormext_insert_only_%d", time.Now().UnixNano())
		for _, q := range []string{
			"CREATE ROLE " + role + " NOLOGIN",
			"GRANT USAGE ON SCHEMA " + currentSchema(t, db) + " TO " + role,
			"GRANT SELECT, INSERT ON tags TO " + role,
		} {
			if err := db.Exec(q).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		t.Cleanup(func() {
			_ = db.Exec("REVOKE ALL ON tags FROM " + role).Error
			_ = db.Exec("REVOKE ALL ON SCHEMA " + currentSchema(t, db) + " FROM " + role).Error
			_ = db.Exec("DROP ROLE " + role).Error
		})
		dup := Tag{Name: "old"}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL ROLE " + role).Error; err != nil {
				return err
			}
			return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&dup).Error
		})
		if err != nil || dup.ID != old.ID {
			t.Fatalf("err = %v, ID %v: want nil and the stored row's ID %v", err, dup.ID, old.ID)
		}
	})
}

func currentSchema(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var s string
	if err := db.Raw("SELECT current_schema()").Row().Scan(&s); err != nil {
		t.Fatal(err)
	}
	return `"` + s + `"`
}
