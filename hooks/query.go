package hooks

import (
	"reflect"
	"time"

	"gorm.io/gorm"
)

// normaliseRead puts the entity time fields of the rows a query loaded into
// UTC (pgx returns local times, go-sqlite3 times with a fixed offset), so
// that a row read back compares equal (==) to the row written. Rows of a
// type other than the statement's model are left alone.
func (p *Plugin) normaliseRead(db *gorm.DB) {
	stmt := db.Statement
	pl := p.statementPlan(db)
	if pl == nil || len(pl.times) == 0 {
		return
	}
	if rv := stmt.ReflectValue; rowType(rv) == pl.modelType {
		forEachRow(rv, func(row reflect.Value) { p.utcRow(db, pl, row) })
	}
}

func (p *Plugin) utcRow(db *gorm.DB, pl *plan, row reflect.Value) {
	ctx := db.Statement.Context
	for _, f := range pl.times {
		if f == pl.deletedAt {
			d := fieldPtr[gorm.DeletedAt](ctx, f, row)
			if d.Valid {
				d.Time = d.Time.UTC()
			}
			continue
		}
		t := fieldPtr[time.Time](ctx, f, row)
		*t = t.UTC()
	}
}
