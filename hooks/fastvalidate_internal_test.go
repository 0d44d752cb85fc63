package hooks

import (
	"reflect"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"

	"github.com/gormext/gormext/entities"
)

var fastTags = []string{
	"required", "omitempty", "max=5", "min=2", "len=3", "required,max=5",
	"omitempty,min=2,max=4", "required,len=0", "min=0x2", "required,min=1,max=1",
}

var fastInputs = []string{
	"", "a", "ab", "abc", "abcd", "abcdef", "é", "éé", "ééé", "\x00", "\x00\x00\x00",
	"\xff", "\xff\xfe\xfd", "a\xffb", "日本語", "🙂🙂", " ", "   ", strings.Repeat("x", 1000),
}

// TestFastRulesAgreeWithTheValidator checks the pre-check against the
// validator on every tag and input: it may only say "valid" when the
// validator does.
func TestFastRulesAgreeWithTheValidator(t *testing.T) {
	for _, tag := range fastTags {
		for _, in := range fastInputs {
			checkAgreement(t, tag, in)
		}
	}
}

func FuzzFastRulesAgreeWithTheValidator(f *testing.F) {
	for _, in := range fastInputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, tag := range fastTags {
			checkAgreement(t, tag, in)
		}
	})
}

func checkAgreement(t *testing.T, tag, in string) {
	t.Helper()
	typ := reflect.StructOf([]reflect.StructField{{
		Name: "F", Type: reflect.TypeFor[string](), Tag: reflect.StructTag(`validate:"` + tag + `"`),
	}})
	rules, ok := fastRules(typ)
	if !ok {
		t.Fatalf("tag %q not compiled", tag)
	}
	row := reflect.New(typ).Elem()
	row.Field(0).SetString(in)
	fast := fastValid(rules, row)
	slow := defaultValidator().Struct(row.Addr().Interface()) == nil
	if fast != slow {
		t.Fatalf("tag %q, input %q: pre-check says %v, validator says %v", tag, in, fast, slow)
	}
}

func TestFastRulesRefuseWhatTheyDoNotReplicate(t *testing.T) {
	type inner struct {
		N int `validate:"gte=1"`
	}
	refused := []any{
		struct {
			E string `validate:"email"`
		}{},
		struct {
			N int `validate:"max=3"`
		}{},
		struct {
			P *string `validate:"required"`
		}{},
		struct {
			S string `validate:"required|len=2"`
		}{},
		struct {
			S string `validate:"min=a"`
		}{},
		struct {
			S string `validate:"max=3,omitempty"`
		}{},
		struct{ In inner }{},
		struct{ In *inner }{},
		struct{ In []inner }{},
	}
	for _, v := range refused {
		if _, ok := fastRules(reflect.TypeOf(v)); ok {
			t.Errorf("%T compiled; want it left to the validator", v)
		}
	}
	type model struct {
		entities.Entity
		entities.VersionedEntity
		entities.SoftDeletableEntity
		Title  string `validate:"required,max=200"`
		hidden string `validate:"email"`
		Nested struct {
			Name string `validate:"omitempty,min=2"`
		}
	}
	rules, ok := fastRules(reflect.TypeFor[model]())
	if !ok || len(rules) != 2 {
		t.Fatalf("entity model: %d rules, %v; want 2 compiled rules", len(rules), ok)
	}
	if err := defaultValidator().Struct(&model{Title: "x", hidden: "not an email"}); err != nil {
		t.Fatalf("the validator checks unexported fields after all: %v", err)
	}
}

// TestFastRulesSkipWhenValidatorWouldFail: the validator still produces
// the error when a rule fails.
func TestFastRulesValidatorStillReports(t *testing.T) {
	type model struct {
		entities.Entity
		Title string `validate:"required,max=3"`
	}
	rules, ok := fastRules(reflect.TypeFor[model]())
	if !ok {
		t.Fatal("not compiled")
	}
	m := model{Title: "toolong"}
	if fastValid(rules, reflect.ValueOf(&m).Elem()) {
		t.Fatal("pre-check accepted an invalid row")
	}
	var fields validator.ValidationErrors
	if err := defaultValidator().Struct(&m); err == nil || !asValidation(err, &fields) {
		t.Fatalf("validator: %v", err)
	}
}

func asValidation(err error, target *validator.ValidationErrors) bool {
	v, ok := err.(validator.ValidationErrors)
	*target = v
	return ok
}
