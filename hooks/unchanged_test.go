package hooks_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
)

// Models that embed none of the entity structs: the plugin must leave
// every statement on them exactly as GORM builds it.
type (
	plainCompany struct {
		ID   uint
		Name string
	}
	plainPost struct {
		ID     uint
		UserID uint
		Title  string
	}
	plainLanguage struct {
		Code string `gorm:"primaryKey"`
		Name string
	}
	plainUser struct {
		ID        uint
		Name      string `validate:"required"`
		Age       int
		CreatedAt time.Time
		UpdatedAt time.Time
		DeletedAt gorm.DeletedAt
		CompanyID *uint
		Company   *plainCompany
		Posts     []plainPost     `gorm:"foreignKey:UserID"`
		Languages []plainLanguage `gorm:"many2many:plain_user_languages"`
	}
	node struct {
		ID       uint
		Name     string
		ParentID *uint
		Parent   *node
		Children []node `gorm:"foreignKey:ParentID"`
	}
	plainBase struct {
		ID        uint
		CreatedAt time.Time
	}
	plainMeta    struct{ Note string }
	withEmbedded struct {
		plainBase
		Meta plainMeta `gorm:"embedded;embeddedPrefix:meta_"`
		Name string
	}
	// lookalike has our field names and types, declared by itself.
	lookalike struct {
		ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
		CreatedAt time.Time
		UpdatedAt time.Time
		Version   int64
		Title     string `validate:"required"`
	}
)

var plainModels = []any{&plainCompany{}, &plainLanguage{}, &plainUser{}, &plainPost{}, &node{}, &withEmbedded{}, &lookalike{}}

// operation runs one statement and returns its result and the value it
// wrote into, to compare.
type operation func(db *gorm.DB) (*gorm.DB, any)

func plainOperations() map[string]operation {
	one := uint(1)
	return map[string]operation{
		"create with associations": func(db *gorm.DB) (*gorm.DB, any) {
			u := plainUser{Name: "a", Company: &plainCompany{Name: "c"}, Posts: []plainPost{{Title: "p"}},
				Languages: []plainLanguage{{Code: "en", Name: "English"}}}
			return db.Create(&u), &u
		},
		"create slice": func(db *gorm.DB) (*gorm.DB, any) {
			u := []*plainUser{{Name: "a"}, {Name: "b"}}
			return db.Create(&u), &u
		},
		"create in batches": func(db *gorm.DB) (*gorm.DB, any) {
			u := []plainUser{{Name: "a"}, {Name: "b"}, {Name: "c"}}
			return db.CreateInBatches(&u, 2), &u
		},
		"create self-referencing": func(db *gorm.DB) (*gorm.DB, any) {
			n := node{Name: "root", Children: []node{{Name: "leaf"}}}
			return db.Create(&n), &n
		},
		"create embedded": func(db *gorm.DB) (*gorm.DB, any) {
			e := withEmbedded{Name: "e", Meta: plainMeta{Note: "n"}}
			return db.Create(&e), &e
		},
		"create lookalike without ID or title": func(db *gorm.DB) (*gorm.DB, any) {
			l := lookalike{}
			return db.Create(&l), &l
		},
		"save lookalike": func(db *gorm.DB) (*gorm.DB, any) {
			l := lookalike{ID: uuid.MustParse("00000000-0000-7000-8000-000000000001")}
			return db.Save(&l), &l
		},
		"save existing": func(db *gorm.DB) (*gorm.DB, any) {
			u := plainUser{ID: 1, Name: "b", CompanyID: &one}
			return db.Save(&u), &u
		},
		"updates struct": func(db *gorm.DB) (*gorm.DB, any) {
			u := plainUser{ID: 1}
			return db.Model(&u).Updates(plainUser{Name: "c", Age: 3}), &u
		},
		"updates map": func(db *gorm.DB) (*gorm.DB, any) {
			u := plainUser{ID: 1}
			return db.Model(&u).Updates(map[string]any{"name": "d"}), &u
		},
		"update column": func(db *gorm.DB) (*gorm.DB, any) {
			u := plainUser{ID: 1}
			return db.Model(&u).Update("age", gorm.Expr("age + ?", 1)), &u
		},
		"update columns": func(db *gorm.DB) (*gorm.DB, any) {
			u := plainUser{ID: 1}
			return db.Model(&u).UpdateColumns(map[string]any{"age": 9}), &u
		},
		"statement-level updates": func(db *gorm.DB) (*gorm.DB, any) {
			return db.Model(&plainUser{}).Where("age > ?", 1).Updates(map[string]any{"name": "e"}), nil
		},
		"table map create": func(db *gorm.DB) (*gorm.DB, any) {
			m := map[string]any{"name": "t", "age": 1}
			return db.Table("plain_users").Create(m), m
		},
		"table map update": func(db *gorm.DB) (*gorm.DB, any) {
			return db.Table("plain_users").Where("id = ?", 1).Updates(map[string]any{"age": 2}), nil
		},
		"model map create": func(db *gorm.DB) (*gorm.DB, any) {
			m := []map[string]any{{"name": "m", "age": 1}}
			return db.Model(&plainUser{}).Create(m), m
		},
		"upsert": func(db *gorm.DB) (*gorm.DB, any) {
			u := plainUser{ID: 1, Name: "u"}
			return db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&u), &u
		},
		"delete": func(db *gorm.DB) (*gorm.DB, any) {
			return db.Delete(&plainUser{ID: 1}), nil
		},
		"unscoped delete": func(db *gorm.DB) (*gorm.DB, any) {
			return db.Unscoped().Where("1 = 1").Delete(&node{}), nil
		},
		"find preload": func(db *gorm.DB) (*gorm.DB, any) {
			var u []plainUser
			return db.Preload("Posts").Preload("Company").Find(&u), &u
		},
		"first": func(db *gorm.DB) (*gorm.DB, any) {
			var n node
			return db.Where("name = ?", "root").First(&n), &n
		},
		"raw": func(db *gorm.DB) (*gorm.DB, any) {
			var names []string
			return db.Raw("SELECT name FROM plain_users WHERE age > ?", 0).Scan(&names), &names
		},
		"exec": func(db *gorm.DB) (*gorm.DB, any) {
			return db.Exec("UPDATE plain_users SET age = age + ?", 1), nil
		},
	}
}

// pair opens the same database kind twice, with and without the plugin,
// configured identically, with GORM's clock fixed so times compare.
func pair(t *testing.T, kind testdb.Kind) (plain, plugged *gorm.DB) {
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	plain = testdb.Open(t, kind, testdb.Plain())
	plugged = testdb.Open(t, kind, testdb.Plain())
	if err := plugged.Use(hooks.New()); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*gorm.DB{plain, plugged} {
		db.Config.NowFunc = func() time.Time { return fixed }
		if err := db.AutoMigrate(plainModels...); err != nil {
			t.Fatal(err)
		}
	}
	return plain, plugged
}

func TestPluginChangesNothingForPlainModels(t *testing.T) {
	for _, kind := range testdb.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			plain, plugged := pair(t, kind)
			for name, op := range plainOperations() {
				for _, dry := range []bool{true, false} {
					want := runOp(plain, op, dry)
					got := runOp(plugged, op, dry)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s (dry run %v) differs with the plugin:\n got %+v\nwant %+v", name, dry, got, want)
					}
				}
			}
			var a, b []plainUser
			plain.Unscoped().Order("id").Preload("Posts").Find(&a)
			plugged.Unscoped().Order("id").Preload("Posts").Find(&b)
			if len(a) == 0 || !reflect.DeepEqual(a, b) {
				t.Errorf("tables differ:\n got %+v\nwant %+v", b, a)
			}
		})
	}
}

// outcome is what a statement did, for comparison.
type outcome struct {
	SQL   string
	Vars  []any
	Err   string
	Rows  int64
	Value any
}

func runOp(db *gorm.DB, op operation, dry bool) outcome {
	res, value := op(db.Session(&gorm.Session{DryRun: dry}))
	o := outcome{Rows: res.RowsAffected, Value: deref(value)}
	if dry {
		o.SQL, o.Vars = res.Statement.SQL.String(), res.Statement.Vars
	}
	if res.Error != nil {
		o.Err = res.Error.Error()
	}
	return o
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	if rv.Kind() == reflect.Slice {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = deref(rv.Index(i).Interface())
		}
		return out
	}
	return rv.Interface()
}
