package entities_test

import (
	"errors"
	"testing"

	"github.com/go-playground/validator/v10"
	"go.uber.org/goleak"

	"github.com/gormext/gormext/entities"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestValidationErrorMatchesSentinelAndValidatorErrors(t *testing.T) {
	type Form struct {
		Name  string `validate:"required"`
		Email string `validate:"email"`
		Age   int    `validate:"gte=18"`
	}
	verr := validator.New().Struct(Form{Email: "x", Age: 3})
	err := error(&entities.ValidationError{Model: "Form", Err: verr})
	if !errors.Is(err, entities.ErrValidation) {
		t.Fatal("errors.Is(ErrValidation) does not hold")
	}
	var fields validator.ValidationErrors
	if !errors.As(err, &fields) || len(fields) != 3 {
		t.Fatalf("errors.As(ValidationErrors) = %v", fields)
	}
	want := "entities: validation failed: Form: Name (required), Email (email), Age (gte=18)"
	if err.Error() != want {
		t.Fatalf("message = %q, want %q", err.Error(), want)
	}
	other := &entities.ValidationError{Model: "X", Err: errors.New("boom")}
	if other.Error() != "entities: validation failed: X: boom" || other.Fields() != nil {
		t.Fatalf("non-field error = %q, %v", other.Error(), other.Fields())
	}
}

func TestStaleEntityError(t *testing.T) {
	err := error(&entities.StaleEntityError{Model: "Doc", Table: "docs", Version: 7})
	if !errors.Is(err, entities.ErrStaleEntity) || errors.Is(err, entities.ErrImmutable) {
		t.Fatal("errors.Is does not match ErrStaleEntity alone")
	}
	want := "entities: stale entity: the row was changed or deleted since it was read: Doc (table docs) at version 7: reload it and apply the change again"
	if err.Error() != want {
		t.Fatalf("message = %q", err.Error())
	}
}
