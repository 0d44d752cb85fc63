package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormext/gormext/entities"
)

// Models of the matrix.

// MxItem is an entity with every behaviour: ID, timestamps, version, soft
// delete and validation.
type MxItem struct {
	entities.Entity
	entities.VersionedEntity
	entities.SoftDeletableEntity
	Name string `gorm:"uniqueIndex" validate:"required,max=40"`
	Qty  int
}

// MxLog is immutable.
type MxLog struct {
	entities.ImmutableEntity
	Action string
}

// MxOwner has every kind of association.
type MxOwner struct {
	entities.Entity
	Name    string
	TeamID  *uuid.UUID `gorm:"type:uuid"`
	Team    *MxTeam    // belongs to
	Profile MxProfile  // has one
	Pets    []MxPet    // has many
	Tags    []MxTag    `gorm:"many2many:mx_owner_tags"`
}

type MxTeam struct {
	entities.Entity
	Name string
}

type MxProfile struct {
	entities.Entity
	MxOwnerID uuid.UUID `gorm:"type:uuid"`
	Bio       string
}

type MxPet struct {
	entities.Entity
	MxOwnerID uuid.UUID `gorm:"type:uuid"`
	Name      string
}

type MxTag struct {
	entities.Entity
	Name string
}

var mxModels = []any{&MxItem{}, &MxLog{}, &MxTeam{}, &MxOwner{}, &MxProfile{}, &MxPet{}, &MxTag{}}

var mxSeq atomic.Int64

// uniq returns a name no other row of the run has.
func uniq(base string) string { return fmt.Sprintf("%s-%d", base, mxSeq.Add(1)) }

// newItem creates an item with e.setup, before the call under test.
func newItem(e *mxEnv) MxItem {
	e.t.Helper()
	it := MxItem{Name: uniq("item"), Qty: 1}
	noErr(e, e.setup.Create(&it).Error)
	return it
}

// newLog creates an audit row with e.setup.
func newLog(e *mxEnv) MxLog {
	e.t.Helper()
	l := MxLog{Action: uniq("login")}
	noErr(e, e.setup.Create(&l).Error)
	return l
}

// newOwner builds an owner with one association of each kind.
func newOwner() MxOwner {
	return MxOwner{
		Name:    uniq("owner"),
		Team:    &MxTeam{Name: uniq("team")},
		Profile: MxProfile{Bio: "bio"},
		Pets:    []MxPet{{Name: uniq("pet")}, {Name: uniq("pet")}},
		Tags:    []MxTag{{Name: uniq("tag")}, {Name: uniq("tag")}},
	}
}

// Case builders: one call path of one behaviour each.

// created is a create path of one item: act creates it, check reads it back.
func created(name string, act func(tx *gorm.DB, it *MxItem) error) mxCase {
	return mxCase{
		name:  "create/" + name,
		setup: func(*mxEnv) any { return &MxItem{Name: uniq("new"), Qty: 2} },
		act:   func(_ *mxEnv, tx *gorm.DB, s any) error { return act(tx, s.(*MxItem)) },
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			it := s.(*MxItem)
			e.wantNew(e.itemNamed(it.Name), it.ID)
		},
	}
}

// createdMany is a create path of three items.
func createdMany(name string, act func(tx *gorm.DB, items []MxItem) error) mxCase {
	return mxCase{
		name: "create/" + name,
		setup: func(*mxEnv) any {
			return []MxItem{{Name: uniq("new")}, {Name: uniq("new")}, {Name: uniq("new")}}
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error { return act(tx, s.([]MxItem)) },
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			for _, it := range s.([]MxItem) {
				e.wantNew(e.itemNamed(it.Name), it.ID)
			}
		},
	}
}

// updated is an update path of an existing item; touched says whether
// UpdatedAt is written (UpdateColumn(s) leave it).
func updated(name string, touched bool, act func(tx *gorm.DB, it *MxItem, newName string) error) mxCase {
	type state struct {
		was     MxItem
		newName string
	}
	return mxCase{
		name:  "update/" + name,
		setup: func(e *mxEnv) any { return &state{was: newItem(e), newName: uniq("renamed")} },
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			st := s.(*state)
			it := st.was
			return act(tx, &it, st.newName)
		},
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			st := s.(*state)
			e.wantUpdated(e.item(st.was.ID), st.was, touched, st.newName)
		},
	}
}

// refused is a call on an existing item refused before any SQL.
func refused(name string, sentinel error, act func(tx *gorm.DB, it *MxItem) error) mxCase {
	return mxCase{
		name:   name,
		setup:  func(e *mxEnv) any { it := newItem(e); return &it },
		act:    func(_ *mxEnv, tx *gorm.DB, s any) error { return act(tx, s.(*MxItem)) },
		refuse: sentinel,
	}
}

// immutable is a call on an audit row, refused with ErrImmutable.
func immutable(name string, act func(tx *gorm.DB, l *MxLog) error) mxCase {
	return mxCase{
		name:   "immutable/" + name,
		setup:  func(e *mxEnv) any { l := newLog(e); return &l },
		act:    func(_ *mxEnv, tx *gorm.DB, s any) error { return act(tx, s.(*MxLog)) },
		refuse: entities.ErrImmutable,
	}
}

// deleted is a delete path of an existing item; gone says whether the row
// is removed (Unscoped) rather than marked.
func deleted(name string, gone bool, act func(tx *gorm.DB, it *MxItem) error) mxCase {
	return mxCase{
		name:  "delete/" + name,
		setup: func(e *mxEnv) any { it := newItem(e); return &it },
		act:   func(_ *mxEnv, tx *gorm.DB, s any) error { return act(tx, s.(*MxItem)) },
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			r := e.item(s.(*MxItem).ID)
			if gone && r.Found || !gone && (!r.Found || !r.Deleted) {
				e.t.Fatalf("stored %+v; want gone %v, else marked deleted", r, gone)
			}
		},
	}
}

// batched marks a create GORM may split into batches (see mxCase.batches).
func batched(c mxCase) mxCase { c.batches = true; return c }

func invalidItem() MxItem { return MxItem{Name: strings.Repeat("x", 41)} }

var mxCases = []mxCase{
	// IDs, timestamps, version 1 on every create path.
	created("struct", func(tx *gorm.DB, it *MxItem) error { return tx.Create(it).Error }),
	created("returning", func(tx *gorm.DB, it *MxItem) error { return tx.Clauses(clause.Returning{}).Create(it).Error }),
	created("save-new", func(tx *gorm.DB, it *MxItem) error { return tx.Save(it).Error }),
	created("first-or-create", func(tx *gorm.DB, it *MxItem) error {
		return tx.Where(MxItem{Name: it.Name}).Attrs(MxItem{Qty: 3}).FirstOrCreate(it).Error
	}),
	created("first-or-init-save", func(tx *gorm.DB, it *MxItem) error {
		if err := tx.Where(MxItem{Name: it.Name}).FirstOrInit(it).Error; err != nil {
			return err
		}
		return tx.Save(it).Error
	}),
	createdMany("slice", func(tx *gorm.DB, items []MxItem) error { return tx.Create(&items).Error }),
	createdMany("pointer-slice", func(tx *gorm.DB, items []MxItem) error {
		ptrs := []*MxItem{&items[0], &items[1], &items[2]}
		return tx.Create(&ptrs).Error
	}),
	createdMany("in-batches", func(tx *gorm.DB, items []MxItem) error { return tx.CreateInBatches(&items, 2).Error }),
	createdMany("save-slice", func(tx *gorm.DB, items []MxItem) error { return tx.Save(&items).Error }),
	{
		name:  "create/map",
		setup: func(*mxEnv) any { return uniq("map") },
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			return tx.Model(&MxItem{}).Create(map[string]any{"name": s.(string), "qty": 1}).Error
		},
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			r := e.itemNamed(s.(string))
			id, _ := uuid.Parse(r.ID)
			e.wantNew(r, id)
		},
	},

	// Validation: refused before any SQL.
	refused("create/invalid", entities.ErrValidation, func(tx *gorm.DB, _ *MxItem) error {
		it := invalidItem()
		return tx.Create(&it).Error
	}),
	batched(refused("create/invalid-slice", entities.ErrValidation, func(tx *gorm.DB, _ *MxItem) error {
		items := []MxItem{{Name: uniq("ok")}, invalidItem(), {Name: uniq("ok")}}
		return tx.Create(&items).Error
	})),
	batched(refused("create/invalid-first-batch", entities.ErrValidation, func(tx *gorm.DB, _ *MxItem) error {
		items := []MxItem{{Name: uniq("ok")}, invalidItem(), {Name: uniq("ok")}}
		return tx.CreateInBatches(&items, 2).Error
	})),
	{
		// GORM sends each batch as a statement of its own: the plugin sees a
		// later batch only once the earlier ones were sent. GORM's
		// transaction around the batches rolls them back; without it
		// (SkipDefaultTransaction) they stay.
		name: "create/invalid-later-batch",
		setup: func(*mxEnv) any {
			return []MxItem{{Name: uniq("ok")}, {Name: uniq("ok")}, invalidItem()}
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			items := s.([]MxItem)
			return tx.CreateInBatches(&items, 2).Error
		},
		dryErr: entities.ErrValidation,
		check: func(e *mxEnv, s any, err error) {
			if !errors.Is(err, entities.ErrValidation) {
				e.t.Fatalf("err = %v, want ErrValidation", err)
			}
			items := s.([]MxItem)
			want := map[bool]int{false: 0, true: 2}[e.skipTx]
			if n := e.count(e.table(&MxItem{}), "name IN (?, ?)", items[0].Name, items[1].Name); n != want {
				e.t.Fatalf("%d rows of the first batch stored, want %d", n, want)
			}
		},
	},
	refused("update/invalid-save", entities.ErrValidation, func(tx *gorm.DB, it *MxItem) error {
		it.Name = ""
		return tx.Save(it).Error
	}),
	refused("update/invalid-updates", entities.ErrValidation, func(tx *gorm.DB, it *MxItem) error {
		return tx.Model(it).Updates(invalidItem()).Error
	}),
	refused("update/invalid-update", entities.ErrValidation, func(tx *gorm.DB, it *MxItem) error {
		return tx.Model(it).Update("name", "").Error
	}),

	// Updates: UpdatedAt from the clock, CreatedAt kept, version + 1.
	updated("save", true, func(tx *gorm.DB, it *MxItem, n string) error { it.Name = n; return tx.Save(it).Error }),
	updated("updates-struct", true, func(tx *gorm.DB, it *MxItem, n string) error {
		return tx.Model(it).Updates(MxItem{Name: n}).Error
	}),
	updated("updates-map", true, func(tx *gorm.DB, it *MxItem, n string) error {
		return tx.Model(it).Updates(map[string]any{"name": n}).Error
	}),
	updated("updates-select-star", true, func(tx *gorm.DB, it *MxItem, n string) error {
		c := *it
		c.Name = n
		return tx.Model(it).Select("*").Updates(&c).Error
	}),
	updated("updates-omit", true, func(tx *gorm.DB, it *MxItem, n string) error {
		return tx.Model(it).Omit("qty").Updates(MxItem{Name: n, Qty: 99}).Error
	}),
	updated("update", true, func(tx *gorm.DB, it *MxItem, n string) error { return tx.Model(it).Update("name", n).Error }),
	updated("update-returning", true, func(tx *gorm.DB, it *MxItem, n string) error {
		return tx.Model(it).Clauses(clause.Returning{}).Update("name", n).Error
	}),
	updated("update-column", false, func(tx *gorm.DB, it *MxItem, n string) error {
		return tx.Model(it).UpdateColumn("name", n).Error
	}),
	updated("update-columns", false, func(tx *gorm.DB, it *MxItem, n string) error {
		return tx.Model(it).UpdateColumns(map[string]any{"name": n}).Error
	}),
	updated("statement-level", true, func(tx *gorm.DB, it *MxItem, n string) error {
		return tx.Model(&MxItem{}).Where("name = ?", it.Name).Updates(map[string]any{"name": n}).Error
	}),
	updated("assign-first-or-create", true, func(tx *gorm.DB, it *MxItem, n string) error {
		var got MxItem
		return tx.Where(MxItem{Name: it.Name}).Assign(MxItem{Name: n}).FirstOrCreate(&got).Error
	}),
	{
		name: "update/no-op",
		setup: func(e *mxEnv) any {
			it := newItem(e)
			return &it
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			it := *s.(*MxItem)
			return tx.Model(&it).Updates(MxItem{}).Error
		},
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			was := s.(*MxItem)
			r := e.item(was.ID)
			if r.Version != was.Version || !r.UpdatedAt.Equal(was.UpdatedAt) {
				e.t.Fatalf("no-op update stored %+v; want version %d, updated_at %v", r, was.Version, was.UpdatedAt)
			}
		},
	},
	{
		name: "update/stale",
		setup: func(e *mxEnv) any {
			it := newItem(e)
			stale := it
			noErr(e, e.setup.Model(&it).Update("qty", 5).Error)
			return [2]MxItem{stale, it}
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			stale := s.([2]MxItem)[0]
			return tx.Model(&stale).Updates(MxItem{Name: uniq("lost")}).Error
		},
		check: func(e *mxEnv, s any, err error) {
			if !errors.Is(err, entities.ErrStaleEntity) {
				e.t.Fatalf("err = %v, want ErrStaleEntity", err)
			}
			cur := s.([2]MxItem)[1]
			if r := e.item(cur.ID); r.Name != cur.Name || r.Version != cur.Version {
				e.t.Fatalf("stale update changed the row: %+v", r)
			}
		},
	},

	// Soft delete and restore.
	deleted("struct", false, func(tx *gorm.DB, it *MxItem) error { return tx.Delete(it).Error }),
	deleted("by-id", false, func(tx *gorm.DB, it *MxItem) error { return tx.Delete(&MxItem{}, "id = ?", it.ID).Error }),
	deleted("statement-level", false, func(tx *gorm.DB, it *MxItem) error {
		return tx.Where("name = ?", it.Name).Delete(&MxItem{}).Error
	}),
	deleted("unscoped", true, func(tx *gorm.DB, it *MxItem) error { return tx.Unscoped().Delete(it).Error }),
	{
		name: "delete/restore",
		setup: func(e *mxEnv) any {
			it := newItem(e)
			noErr(e, e.setup.Delete(&it).Error)
			return &it
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			it := *s.(*MxItem)
			return entities.Restore(context.Background(), tx, &it)
		},
		dryErr: entities.ErrNotDeleted, // DryRun reports no row restored
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			was := s.(*MxItem)
			r := e.item(was.ID)
			if r.Deleted || r.Version != was.Version+1 || !r.UpdatedAt.Equal(e.clock.stored()) {
				e.t.Fatalf("restored %+v; want not deleted, version %d, updated_at %v", r, was.Version+1, e.clock.stored())
			}
		},
	},

	// Immutable rows: created like any entity, every change refused.
	{
		name:  "immutable/create",
		setup: func(*mxEnv) any { return &MxLog{Action: uniq("login")} },
		act:   func(_ *mxEnv, tx *gorm.DB, s any) error { return tx.Create(s.(*MxLog)).Error },
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			l := s.(*MxLog)
			n := e.count(e.table(&MxLog{}), "id = ? AND created_at = ?", l.ID, e.clock.stored())
			if l.ID == uuid.Nil || n != 1 {
				e.t.Fatalf("audit row %+v stored %d times with its ID and the clock's time", l, n)
			}
		},
	},
	immutable("save", func(tx *gorm.DB, l *MxLog) error { l.Action = "x"; return tx.Save(l).Error }),
	immutable("updates", func(tx *gorm.DB, l *MxLog) error { return tx.Model(l).Updates(MxLog{Action: "x"}).Error }),
	immutable("update", func(tx *gorm.DB, l *MxLog) error { return tx.Model(l).Update("action", "x").Error }),
	immutable("update-column", func(tx *gorm.DB, l *MxLog) error { return tx.Model(l).UpdateColumn("action", "x").Error }),
	immutable("statement-level-update", func(tx *gorm.DB, l *MxLog) error {
		return tx.Model(&MxLog{}).Where("id = ?", l.ID).Updates(map[string]any{"action": "x"}).Error
	}),
	immutable("delete", func(tx *gorm.DB, l *MxLog) error { return tx.Delete(l).Error }),
	immutable("delete-by-id", func(tx *gorm.DB, l *MxLog) error { return tx.Delete(&MxLog{}, "id = ?", l.ID).Error }),
	immutable("statement-level-delete", func(tx *gorm.DB, l *MxLog) error {
		return tx.Where("id = ?", l.ID).Delete(&MxLog{}).Error
	}),
	immutable("unscoped-delete", func(tx *gorm.DB, l *MxLog) error { return tx.Unscoped().Delete(l).Error }),

	// Associations.
	{
		name:  "associations/create",
		setup: func(*mxEnv) any { o := newOwner(); return &o },
		act:   func(_ *mxEnv, tx *gorm.DB, s any) error { return tx.Create(s.(*MxOwner)).Error },
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			o := s.(*MxOwner)
			now := e.clock.stored()
			for tbl, want := range map[string][]any{
				e.table(&MxOwner{}):             {"id = ? AND team_id = ? AND created_at = ?", o.ID, o.Team.ID, now},
				e.table(&MxTeam{}):              {"id = ? AND created_at = ?", o.Team.ID, now},
				e.table(&MxProfile{}):           {"id = ? AND mx_owner_id = ? AND created_at = ?", o.Profile.ID, o.ID, now},
				e.table(&MxPet{}):               {"mx_owner_id = ? AND id IN (?, ?) AND updated_at = ?", o.ID, o.Pets[0].ID, o.Pets[1].ID, now},
				e.table(&MxTag{}):               {"id IN (?, ?) AND created_at = ?", o.Tags[0].ID, o.Tags[1].ID, now},
				e.joinTable(&MxOwner{}, "Tags"): {"mx_owner_id = ?", o.ID},
			} {
				n := e.count(tbl, want[0].(string), want[1:]...)
				if wantN := map[bool]int{true: 2, false: 1}[strings.Contains(tbl, "pet") || strings.Contains(tbl, "tag")]; n != wantN {
					e.t.Fatalf("%s: %d rows with the owner's IDs and the clock's time, want %d", tbl, n, wantN)
				}
			}
		},
	},
	{
		name: "associations/preload",
		setup: func(e *mxEnv) any {
			o := newOwner()
			noErr(e, e.setup.Create(&o).Error)
			return &o
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			var got MxOwner
			err := tx.Preload("Team").Preload("Profile").Preload("Pets").Preload("Tags").First(&got, "id = ?", s.(*MxOwner).ID).Error
			*s.(*MxOwner) = got
			return err
		},
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			got := s.(*MxOwner)
			now := e.clock.stored().Add(-1e9) // created before the clock advanced
			if got.Team == nil || got.Team.CreatedAt != now || got.Profile.CreatedAt != now ||
				len(got.Pets) != 2 || got.Pets[1].UpdatedAt != now || len(got.Tags) != 2 || got.Tags[0].CreatedAt != now {
				e.t.Fatalf("preloaded %+v; want every association with UTC times equal (==) to %v", got, now)
			}
		},
	},
	{
		name: "associations/full-save",
		setup: func(e *mxEnv) any {
			o := newOwner()
			noErr(e, e.setup.Create(&o).Error)
			return &o
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			o := s.(*MxOwner)
			c := *o
			c.Pets = append([]MxPet(nil), o.Pets...)
			c.Pets[0].Name = "renamed"
			c.Pets = append(c.Pets, MxPet{Name: uniq("pet")})
			return tx.Session(&gorm.Session{FullSaveAssociations: true}).Save(&c).Error
		},
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			o := s.(*MxOwner)
			pets := e.table(&MxPet{})
			now := e.clock.stored()
			if n := e.count(pets, "id = ? AND name = ? AND created_at = ? AND updated_at = ?", o.Pets[0].ID, "renamed", o.Pets[0].CreatedAt, now); n != 1 {
				e.t.Fatalf("the renamed pet was not updated with created_at kept and updated_at %v", now)
			}
			if n := e.count(pets, "mx_owner_id = ? AND created_at = ?", o.ID, now); n != 1 {
				e.t.Fatalf("the new pet was stored %d times with the clock's time, want 1", n)
			}
		},
	},
	{
		name: "associations/append",
		setup: func(e *mxEnv) any {
			o := newOwner()
			noErr(e, e.setup.Create(&o).Error)
			return &o
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			o := *s.(*MxOwner)
			return tx.Model(&o).Association("Pets").Append(&MxPet{Name: uniq("pet")})
		},
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			o := s.(*MxOwner)
			if n := e.count(e.table(&MxPet{}), "mx_owner_id = ? AND created_at = ? AND id <> ?", o.ID, e.clock.stored(), uuid.Nil); n != 1 {
				e.t.Fatalf("appended pet stored %d times with an ID and the clock's time, want 1", n)
			}
		},
	},
	{
		name: "associations/replace",
		setup: func(e *mxEnv) any {
			o := newOwner()
			noErr(e, e.setup.Create(&o).Error)
			return &o
		},
		act: func(_ *mxEnv, tx *gorm.DB, s any) error {
			o := *s.(*MxOwner)
			return tx.Model(&o).Association("Tags").Replace([]MxTag{{Name: uniq("tag")}})
		},
		check: func(e *mxEnv, s any, err error) {
			noErr(e, err)
			o := s.(*MxOwner)
			if n := e.count(e.joinTable(&MxOwner{}, "Tags"), "mx_owner_id = ?", o.ID); n != 1 {
				e.t.Fatalf("owner has %d tags after Replace, want 1", n)
			}
			if n := e.count(e.table(&MxTag{}), "created_at = ? AND id <> ?", e.clock.stored(), uuid.Nil); n != 1 {
				e.t.Fatalf("replacing tag stored %d times with an ID and the clock's time, want 1", n)
			}
		},
	},
}
