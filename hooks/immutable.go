package hooks

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
)

// checkDelete refuses every delete of an immutable model, before SQL.
func (p *Plugin) checkDelete(db *gorm.DB) {
	if pl := p.statementPlan(db); pl != nil && pl.immutable {
		_ = db.AddError(immutableError(pl, "delete"))
	}
}

func immutableError(pl *plan, op string) error {
	return fmt.Errorf("%w: cannot %s %s (table %s); write a new row instead",
		entities.ErrImmutable, op, pl.name, pl.table)
}
