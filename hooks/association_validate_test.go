package hooks_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
	"github.com/gormext/gormext/internal/testdb"
)

type valCustomer struct {
	entities.Entity
	Email string `validate:"required,email"`
}

type valLine struct {
	entities.Entity
	ValOrderID uuid.UUID
	SKU        string `validate:"required"`
}

// valOrder holds a belongs-to whose model has required fields, a has-many,
// and a rule of its own that the compiled pre-check covers.
type valOrder struct {
	entities.Entity
	CustomerID uuid.UUID
	Customer   valCustomer
	Lines      []valLine
	Note       string `validate:"max=20"`
}

// valOrderPtr holds its belongs-to by pointer and has rules the compiled
// pre-check does not cover, so the validator itself runs.
type valOrderPtr struct {
	entities.Entity
	CustomerID uuid.UUID
	Customer   *valCustomer
	Contact    string `validate:"omitempty,email"`
}

// valOrderTagged puts rules on its association fields themselves: those
// are the caller's and stand.
type valOrderTagged struct {
	entities.Entity
	CustomerID uuid.UUID
	Customer   *valCustomer    `validate:"required"`
	Lines      []valTaggedLine `validate:"min=1,dive"`
}

type valTaggedLine struct {
	entities.Entity
	ValOrderTaggedID uuid.UUID
	SKU              string `validate:"required"`
}

// An association is validated as a row of its own model when GORM saves
// it, never as part of the row that holds it: an Order with only its
// CustomerID set (the Customer not loaded) is written, and an invalid
// associated row still refuses the whole create.
func TestAssociationsAreValidatedAsTheirOwnRows(t *testing.T) {
	testdb.Run(t, func(t *testing.T, db *gorm.DB) {
		if err := db.AutoMigrate(&valCustomer{}, &valOrder{}, &valLine{}, &valOrderPtr{}, &valOrderTagged{}, &valTaggedLine{}); err != nil {
			t.Fatal(err)
		}
		c := valCustomer{Email: "a@example.com"}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name    string
			row     any
			table   string
			refused string // the model named by the refusal, "" when accepted
		}{
			{"belongs-to not loaded", &valOrder{CustomerID: c.ID, Note: "ok"}, "val_orders", ""},
			{"belongs-to pointer nil", &valOrderPtr{CustomerID: c.ID, Contact: "b@example.com"}, "val_order_ptrs", ""},
			{"belongs-to invalid", &valOrder{Customer: valCustomer{Email: "not-an-email"}}, "val_orders", "valCustomer"},
			{"belongs-to pointer invalid", &valOrderPtr{Customer: &valCustomer{}}, "val_order_ptrs", "valCustomer"},
			{"has-many invalid", &valOrder{CustomerID: c.ID, Lines: []valLine{{SKU: "x"}, {}}}, "val_orders", "valLine"},
			{"own rule", &valOrder{CustomerID: c.ID, Note: strings.Repeat("n", 21)}, "val_orders", "valOrder"},
			{"tagged association missing", &valOrderTagged{CustomerID: c.ID}, "val_order_taggeds", "valOrderTagged"},
			{"tagged association present", &valOrderTagged{Customer: &valCustomer{Email: "c@example.com"}, Lines: []valTaggedLine{{SKU: "x"}}}, "val_order_taggeds", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countRows(t, db, "SELECT count(*) FROM "+tc.table)
				err := db.Create(tc.row).Error
				after := countRows(t, db, "SELECT count(*) FROM "+tc.table)
				if tc.refused == "" {
					if err != nil || after != before+1 {
						t.Fatalf("err = %v, rows %d → %d: want the row written", err, before, after)
					}
					return
				}
				var ve *entities.ValidationError
				if !errors.As(err, &ve) || !strings.HasPrefix(ve.Model, tc.refused) {
					t.Fatalf("err = %v: want a validation error of %s", err, tc.refused)
				}
				if after != before {
					t.Fatalf("rows %d → %d: a refused create wrote its row", before, after)
				}
			})
		}
	})
}
