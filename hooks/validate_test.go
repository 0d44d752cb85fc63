package hooks_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/hooks"
	"github.com/gormext/gormext/internal/testdb"
)

func TestCreateValidationFailsBeforeSQL(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		tx, rec := recording(db)
		err := tx.Create(&[]Article{{Title: "ok"}, {Title: "", Email: "nope"}}).Error
		var ve *entities.ValidationError
		if !errors.Is(err, entities.ErrValidation) || !errors.As(err, &ve) {
			t.Fatalf("err = %v, want a *ValidationError", err)
		}
		if ve.Model != "Article[1]" || len(ve.Fields()) != 2 {
			t.Fatalf("error = %+v, want Article[1] with two fields", ve)
		}
		if msg := err.Error(); !strings.Contains(msg, "Title (required)") || !strings.Contains(msg, "Email (email)") {
			t.Fatalf("message %q does not name the fields and rules", msg)
		}
		assertNothingSent(t, rec)
	})
}

// TestHostileValues feeds huge strings, NUL bytes and invalid UTF-8 through
// validated fields: each is refused before SQL by the tag that covers it,
// never a panic or a half-written row.
func TestHostileValues(t *testing.T) {
	v := validator.New(validator.WithRequiredStructEnabled())
	if err := v.RegisterValidation("text", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
	}); err != nil {
		t.Fatal(err)
	}
	type Comment struct {
		entities.Entity
		Body string `validate:"required,max=1000,text"`
	}
	hostile := map[string]string{
		"huge":         strings.Repeat("x", 1<<20),
		"huge runes":   strings.Repeat("é", 1001),
		"NUL":          "a\x00b",
		"invalid UTF8": "a\xff\xfeb",
		"only NUL":     "\x00",
		"blank":        "",
	}
	run(t, []hooks.Option{hooks.WithValidator(v)}, []any{&Comment{}}, func(t *testing.T, db *gorm.DB) {
		ok := Comment{Body: "fine"}
		mustCreate(t, db, &ok)
		for name, s := range hostile {
			tx, rec := recording(db)
			t.Cleanup(func() { assertNothingSent(t, rec) })
			if err := tx.Create(&Comment{Body: s}).Error; !errors.Is(err, entities.ErrValidation) {
				t.Fatalf("create %s: err = %v, want ErrValidation", name, err)
			}
			if err := tx.Model(&ok).Update("body", s).Error; !errors.Is(err, entities.ErrValidation) {
				t.Fatalf("update %s: err = %v, want ErrValidation", name, err)
			}
			if s == "" {
				continue // a zero field is not written by a struct update
			}
			if err := tx.Model(&ok).Updates(Comment{Body: s}).Error; !errors.Is(err, entities.ErrValidation) {
				t.Fatalf("struct update %s: err = %v, want ErrValidation", name, err)
			}
		}
		var n int64
		if err := db.Model(&Comment{}).Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want only the valid row", n, err)
		}
	})
}

func TestWithoutValidation(t *testing.T) {
	run(t, []hooks.Option{hooks.WithoutValidation()}, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Email: "not validated"}
		mustCreate(t, db, &a)
		if err := db.Model(&a).Update("title", "").Error; err != nil {
			t.Fatalf("update without validation: %v", err)
		}
	})
}

// TestModelsWithoutEntityAreNotValidated: validation belongs to entities;
// a plain model with validate tags is left to GORM alone.
func TestModelsWithoutEntityAreNotValidated(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&lookalike{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&lookalike{}).Error; err != nil {
			t.Fatalf("plain model create: %v", err)
		}
	})
}

// TestBaseEntityOnlyIsValidated: a model embedding only the marker struct
// is an entity, so its tags are checked.
func TestBaseEntityOnlyIsValidated(t *testing.T) {
	type Tag struct {
		entities.BaseEntity
		ID   uint
		Name string `validate:"required"`
	}
	run(t, nil, []any{&Tag{}}, func(t *testing.T, db *gorm.DB) {
		if err := db.Create(&Tag{}).Error; !errors.Is(err, entities.ErrValidation) {
			t.Fatalf("err = %v, want ErrValidation", err)
		}
		if err := db.Create(&Tag{Name: "go"}).Error; err != nil {
			t.Fatal(err)
		}
	})
}

// TestCompiledRulesStillReportTheValidatorsErrors: Post's rules are simple
// enough for the plugin's pre-check; failures must still come out as the
// validator's errors, hostile input included.
func TestCompiledRulesStillReportTheValidatorsErrors(t *testing.T) {
	run(t, nil, []any{&Post{}}, func(t *testing.T, db *gorm.DB) {
		cases := map[string]Post{
			"huge title":        {Title: strings.Repeat("x", 1<<20), Author: "a"},
			"201 runes":         {Title: strings.Repeat("é", 201), Author: "a"},
			"201 invalid bytes": {Title: strings.Repeat("\xff", 201), Author: "a"},
			"missing author":    {Title: "t"},
			"huge body":         {Title: "t", Author: "a", Body: strings.Repeat("\x00", 10001)},
		}
		for name, p := range cases {
			tx, rec := recording(db)
			err := tx.Create(&p).Error
			var fields validator.ValidationErrors
			if !errors.Is(err, entities.ErrValidation) || !errors.As(err, &fields) || len(fields) != 1 {
				t.Fatalf("%s: err = %v, want one field failing", name, err)
			}
			assertNothingSent(t, rec)
		}
		ok := Post{Title: strings.Repeat("é", 200), Author: "a", Body: "b"}
		mustCreate(t, db, &ok)
	})
}

// TestUpdateValidationFollowsSelectAndOmit: a column that is not written is
// not validated.
func TestUpdateValidationFollowsSelectAndOmit(t *testing.T) {
	run(t, nil, []any{&Article{}}, func(t *testing.T, db *gorm.DB) {
		a := Article{Title: "t"}
		mustCreate(t, db, &a)
		if err := db.Model(&a).Omit("email").Updates(map[string]any{"email": "bad", "body": "b"}).Error; err != nil {
			t.Fatalf("omitted invalid column: %v", err)
		}
		if err := db.Model(&a).Select("body").Updates(Article{Email: "bad", Body: "c"}).Error; err != nil {
			t.Fatalf("unselected invalid field: %v", err)
		}
		if err := db.Model(&a).Select("email").Updates(map[string]any{"email": "bad", "body": "d"}).Error; !errors.Is(err, entities.ErrValidation) {
			t.Fatalf("selected invalid column: err = %v, want ErrValidation", err)
		}
		var got Article
		if err := db.First(&got, "id = ?", a.ID).Error; err != nil || got.Email != "" || got.Body != "c" {
			t.Fatalf("row = %+v, %v", got, err)
		}
	})
}
