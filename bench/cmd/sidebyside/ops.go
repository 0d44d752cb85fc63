package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	trmpgx "github.com/avito-tech/go-transaction-manager/drivers/pgxv5/v2"
	"github.com/avito-tech/go-transaction-manager/trm/v2"
	"github.com/avito-tech/go-transaction-manager/trm/v2/manager"
	trmsettings "github.com/avito-tech/go-transaction-manager/trm/v2/settings"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/gormext/gormext/pagination"
	"github.com/gormext/gormext/txctx"
)

// operation is one row group of the table.
type operation struct {
	name       string
	contenders []contender
}

const (
	pageSize   = 20
	offsetPage = 100 // rows 1981 to 2000
	insertTx   = "INSERT INTO tx_rows (name) VALUES (?)"
	insertPost = "INSERT INTO posts (id, created_at, updated_at, title, body, author) VALUES (?, ?, ?, ?, ?, ?)"
	columns    = "SELECT id, b, name FROM items"
	sortDesc   = "b DESC, id DESC"
)

var order = []pagination.Order{{Column: "b", Desc: true}, {Column: "id", Desc: true}}

func operations(ctx context.Context, f *fixture) ([]operation, error) {
	keyset, err := keysetOp(ctx, f)
	if err != nil {
		return nil, err
	}
	return []operation{createOp(ctx, f), txOp(ctx, f, false), txOp(ctx, f, true), offsetOp(ctx, f), keyset}, nil
}

func newPost() Post {
	return Post{Title: "A title of some length", Body: "A body that is a little longer than the title.", Author: "Ada"}
}

// byHand sets what the plugin would: a UUIDv7 and both timestamps.
func byHand(p *Post) {
	p.ID = uuid.Must(uuid.NewV7())
	p.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	p.UpdatedAt = p.CreatedAt
}

func createOp(ctx context.Context, f *fixture) operation {
	ins := f.rebind(insertPost)
	return operation{name: "create one entity", contenders: []contender{
		{name: "gormext (plugin)", run: func() error {
			p := newPost()
			return f.gx.WithContext(ctx).Create(&p).Error
		}},
		{name: nameGORM, run: func() error {
			p := newPost()
			byHand(&p)
			return f.plain.WithContext(ctx).Create(&p).Error
		}},
		{name: nameFloor, run: func() error {
			p := newPost()
			byHand(&p)
			_, err := f.sql.ExecContext(ctx, ins, p.ID, p.CreatedAt, p.UpdatedAt, p.Title, p.Body, p.Author)
			return err
		}},
	}}
}

// txOp is a transaction with one INSERT; nested puts the INSERT in a
// savepoint inside it.
func txOp(ctx context.Context, f *fixture, nested bool) operation {
	ins, sqlIns := insertTx, f.rebind(insertTx)
	gormBody := func(tx *gorm.DB) error { return tx.Exec(ins, "x").Error }
	txctxBody := func(ctx context.Context) error { return txctx.DB(ctx).Exec(ins, "x").Error }
	sqlInsert := func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, sqlIns, "x")
		return err
	}
	sqlBody := sqlInsert
	op := operation{name: "transaction, one insert"}
	if nested {
		op.name = "nested transaction (savepoint)"
		gormInner, txctxInner := gormBody, txctxBody
		gormBody = func(tx *gorm.DB) error { return tx.Transaction(gormInner) }
		txctxBody = func(ctx context.Context) error { return txctx.Run(ctx, txctxInner) }
		sqlBody = func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "SAVEPOINT sp1"); err != nil {
				return err
			}
			if err := sqlInsert(tx); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT sp1")
			return err
		}
	}
	tctx := txctx.WithDB(ctx, f.gx)
	op.contenders = []contender{
		{name: "gormext txctx.Run", run: func() error { return txctx.Run(tctx, txctxBody) }},
		{name: nameGORM, run: func() error { return f.plain.WithContext(ctx).Transaction(gormBody) }},
		{name: nameFloor, run: func() error { return rawTx(ctx, f.sql, sqlBody) }},
	}
	if f.pgx != nil {
		op.contenders = append(op.contenders, trmContenders(ctx, f, sqlIns, nested)...)
	}
	return op
}

func rawTx(ctx context.Context, db *sql.DB, body func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := body(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// trmContenders are trm with its pgxv5 driver (its GORM driver is not on
// the module proxy) and, as trm's own floor, the same transaction on pgx.
func trmContenders(ctx context.Context, f *fixture, ins string, nested bool) []contender {
	m := manager.Must(trmpgx.NewDefaultFactory(f.pgx))
	exec := func(ctx context.Context) error {
		_, err := trmpgx.DefaultCtxGetter.DefaultTrOrDB(ctx, f.pgx).Exec(ctx, ins, "x")
		return err
	}
	pgxExec := func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, ins, "x")
		return err
	}
	trmBody, pgxBody := exec, pgxExec
	if nested {
		// PropagationNested makes the inner Do a savepoint, as the others
		// are; the default would join the outer transaction.
		s := trmsettings.Must(trmsettings.WithPropagation(trm.PropagationNested))
		trmBody = func(ctx context.Context) error { return m.DoWithSettings(ctx, s, exec) }
		pgxBody = func(tx pgx.Tx) error { return pgx.BeginFunc(ctx, tx, pgxExec) }
	}
	return []contender{
		{name: "trm over pgx", run: func() error { return m.Do(ctx, trmBody) }, base: "pgx"},
		{name: "pgx", run: func() error { return pgx.BeginFunc(ctx, f.pgx, pgxBody) }},
	}
}

// offsetOp is page 100 of 20 rows with the exact count of all rows.
func offsetOp(ctx context.Context, f *fixture) operation {
	count, page := f.rebind("SELECT count(*) FROM items"), f.rebind(columns+" ORDER BY "+sortDesc+" LIMIT ? OFFSET ?")
	skip := (offsetPage - 1) * pageSize
	return operation{name: "offset page of 20 + count", contenders: []contender{
		{name: "gormext Paginate", run: func() error {
			p, err := pagination.Paginate[Item](f.gx.WithContext(ctx).Order(sortDesc), pagination.PaginatedFilter{Page: offsetPage, PageSize: pageSize})
			return check(len(p.Items), p.Total, err)
		}},
		{name: nameGORM, run: func() error {
			var n int64
			if err := f.plain.WithContext(ctx).Model(&Item{}).Count(&n).Error; err != nil {
				return err
			}
			var out []Item
			err := f.plain.WithContext(ctx).Order(sortDesc).Offset(skip).Limit(pageSize).Find(&out).Error
			return check(len(out), n, err)
		}},
		{name: nameFloor, run: func() error {
			var n int64
			if err := f.sql.QueryRowContext(ctx, count).Scan(&n); err != nil {
				return err
			}
			out, err := scanItems(ctx, f.sql, page, pageSize, skip)
			return check(len(out), n, err)
		}},
	}}
}

// keysetOp is the page of 20 rows after a cursor at the same depth as the
// offset page; each contender also learns whether a next page exists.
func keysetOp(ctx context.Context, f *fixture) (operation, error) {
	var anchor Item
	if err := f.plain.Order(sortDesc).Offset((offsetPage-1)*pageSize - 1).Take(&anchor).Error; err != nil {
		return operation{}, err
	}
	cursor, err := pagination.CursorOf(f.gx, order, anchor)
	if err != nil {
		return operation{}, err
	}
	q := f.rebind(columns + " WHERE (b, id) < (?, ?) ORDER BY " + sortDesc + " LIMIT ?")
	return operation{name: "keyset page of 20", contenders: []contender{
		{name: "gormext PaginateCursor", run: func() error {
			p, err := pagination.PaginateCursor[Item](f.gx.WithContext(ctx), order, pagination.CursorFilter{After: cursor, Limit: pageSize})
			return check(len(p.Items), items, err)
		}},
		{name: nameGORM, run: func() error {
			var out []Item
			err := f.plain.WithContext(ctx).Where("(b, id) < (?, ?)", anchor.B, anchor.ID).Order(sortDesc).Limit(pageSize + 1).Find(&out).Error
			return check(min(len(out), pageSize), items, err)
		}},
		{name: nameFloor, run: func() error {
			out, err := scanItems(ctx, f.sql, q, anchor.B, anchor.ID, pageSize+1)
			return check(min(len(out), pageSize), items, err)
		}},
	}}, nil
}

func scanItems(ctx context.Context, db *sql.DB, q string, args ...any) ([]Item, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.B, &it.Name); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// check makes sure every contender did the same work: a full page and the
// right total.
func check(n int, total int64, err error) error {
	if err == nil && (n != pageSize || total != items) {
		err = fmt.Errorf("page of %d rows of %d, want %d of %d", n, total, pageSize, items)
	}
	return err
}
