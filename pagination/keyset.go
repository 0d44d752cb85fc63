package pagination

import (
	"reflect"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// CursorFilter is the page request of a keyset (cursor) listing. Embed it in
// a filter struct so that ?after=...&limit=50 decodes into it. After and
// Before take the NextCursor and PrevCursor of a page; at most one may be
// set. Limit 0 means the default page size.
type CursorFilter struct {
	After  string `form:"after" json:"after,omitempty"`
	Before string `form:"before" json:"before,omitempty"`
	Limit  int    `form:"limit" json:"limit,omitempty"`
}

// CursorParams returns f itself; through embedding it lets generic code find
// the cursor request of any filter struct that embeds CursorFilter.
func (f CursorFilter) CursorParams() CursorFilter { return f }

// CursorPage is one page of a keyset listing. NextCursor is set when HasNext,
// PrevCursor when HasPrev.
type CursorPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
	PrevCursor string `json:"prev_cursor,omitempty"`
	HasNext    bool   `json:"has_next"`
	HasPrev    bool   `json:"has_prev"`
}

// PaginateCursor returns the page of db's rows that f asks for, in the given
// order: the first page, the page after f.After or the page before f.Before.
//
// order must be total: end it with a unique column (scopes.Sort and
// QueryOperations append the primary key). db's own ORDER BY, LIMIT and
// OFFSET are replaced; its conditions are kept; db is not changed. The
// page's cursors are read from its edge rows, so a Select or Omit on db
// that leaves out a sort column of the model is an error. The row
// is located with a keyset predicate instead of an OFFSET, so a deep page
// costs about as much as the first: when every key has the same direction
// and none can hold NULL it is a row-value comparison, (a, b) > (?, ?),
// which PostgreSQL answers with an index range scan; otherwise it is the
// equivalent OR expansion, with NULLs handled where the ORDER BY puts them.
//
// Cursors are opaque, signed (HMAC-SHA256, see [WithCursorKey]) and bound
// to the table and the sort: a malformed, altered, foreign or expired
// cursor, both After and Before, or a Limit out of range is ErrInvalidPage
// and a [*ParamError] naming "after", "before" or "limit".
func PaginateCursor[T any](db *gorm.DB, order []Order, f CursorFilter, opts ...Option) (CursorPage[T], error) {
	c := newConfig(opts)
	if db.Error != nil {
		return CursorPage[T]{}, db.Error
	}
	limit, err := cursorLimit(c, f)
	if err != nil {
		return CursorPage[T]{}, err
	}
	w, err := newWalk[T](db, c, order)
	if err != nil {
		return CursorPage[T]{}, err
	}
	return w.page(f, limit)
}

func cursorLimit(c config, f CursorFilter) (int, error) {
	if f.After != "" && f.Before != "" {
		return 0, rejectParam("before", "excluded_with", "must not be given with after; give one of them")
	}
	if f.Limit == 0 {
		return c.defaultSize, nil
	}
	if f.Limit < 1 || f.Limit > c.maxSize {
		return 0, rejectRange("limit", f.Limit, c.maxSize)
	}
	return f.Limit, nil
}

// walk holds what one PaginateCursor call needs.
type walk[T any] struct {
	db   *gorm.DB
	c    config
	keys []key
	spec string
	// resolved holds keys, spec, the keys reversed and the ORDER BY of each
	resolved *resolvedKeys
	now      time.Time
	result   *schema.Schema // T's, once parsed
}

func newWalk[T any](db *gorm.DB, c config, order []Order) (*walk[T], error) {
	s, err := modelSchema(db, (*T)(nil))
	if err != nil {
		return nil, err
	}
	r, err := keysOf(s, order)
	if err != nil {
		return nil, err
	}
	w := &walk[T]{db: db, c: c, keys: r.keys, spec: r.spec, resolved: r, now: time.Now()}
	if s.ModelType == reflect.TypeFor[T]() {
		w.result = s
	}
	return w, nil
}

// resultSchema is the schema of T, which the page's rows are.
func (w *walk[T]) resultSchema() (*schema.Schema, error) {
	if w.result != nil {
		return w.result, nil
	}
	return parseSchema(w.db, (*T)(nil))
}

func (w *walk[T]) page(f CursorFilter, limit int) (CursorPage[T], error) {
	backward := f.Before != ""
	cursor, param := f.After, "after"
	if backward {
		cursor, param = f.Before, "before"
	}
	keys, ob := w.keys, w.resolved.order
	if backward {
		keys, ob = w.resolved.back, w.resolved.backOrder
	}
	items, err := w.fetch(keys, ob, param, cursor, limit)
	if err != nil {
		return CursorPage[T]{}, err
	}
	more := len(items) > limit
	items = items[:min(len(items), limit)]
	p := CursorPage[T]{Items: items, HasNext: more, HasPrev: cursor != ""}
	if backward {
		slices.Reverse(p.Items)
		p.HasNext, p.HasPrev = true, more
	}
	return p, w.setCursors(&p)
}

// fetch reads limit+1 rows after cursor in the order keys give, whose
// ORDER BY is ob.
func (w *walk[T]) fetch(keys []key, ob clause.Clause, param, cursor string, limit int) ([]T, error) {
	var values []any
	if cursor != "" {
		var err error
		if values, err = decodeCursor(w.c, w.spec, w.keys, param, cursor, w.now); err != nil {
			return nil, err
		}
	}
	tx := w.db.Session(&gorm.Session{}).Scopes(func(d *gorm.DB) *gorm.DB {
		setWindow(d, limit+1, 0)
		d.Statement.Clauses["ORDER BY"] = ob // the keyset order replaces any other
		if values != nil {
			if d.Statement.Vars == nil { // room for the values, as a new statement has
				d.Statement.Vars = make([]any, 0, 8)
			}
			// after the query's own scopes, which may have joined a key's
			// association with conditions
			andWhere(d, w.resolved.after(settle(keys, d.Statement), values))
		}
		requireSelected(d, keys)
		return joinKeys(d, keys, true)
	})
	items := make([]T, 0, limit+1)
	err := tx.Find(&items).Error
	return items, err
}

// andWhere ANDs e with the statement's conditions, kept in parentheses, so
// that an OR on the query cannot bypass the keyset predicate.
func andWhere(d *gorm.DB, e clause.Expression) {
	if e == nil {
		return
	}
	exprs := []clause.Expression{e}
	if c, ok := d.Statement.Clauses["WHERE"]; ok {
		if w, ok := c.Expression.(clause.Where); ok && len(w.Exprs) > 0 {
			exprs = []clause.Expression{clause.AndConditions{Exprs: slices.Clone(w.Exprs)}, e}
		}
	}
	// the clause that delete and AddClause would leave, set at once
	d.Statement.Clauses["WHERE"] = clause.Clause{Name: "WHERE", Expression: clause.Where{Exprs: exprs}}
}

// setCursors fills NextCursor and PrevCursor from the page's last and first
// rows.
func (w *walk[T]) setCursors(p *CursorPage[T]) error {
	if len(p.Items) == 0 {
		p.HasNext, p.HasPrev = false, false
		return nil
	}
	s, err := w.resultSchema()
	if err != nil {
		return err
	}
	edges := make([]T, 0, 2)
	if p.HasPrev {
		edges = append(edges, p.Items[0])
	}
	if p.HasNext && (len(p.Items) > 1 || !p.HasPrev) {
		edges = append(edges, p.Items[len(p.Items)-1])
	}
	cursors := make([]string, len(edges))
	if err := w.cursorsOf(s, edges, cursors); err != nil {
		return err
	}
	if p.HasPrev {
		p.PrevCursor = cursors[0]
	}
	if p.HasNext {
		p.NextCursor = cursors[len(cursors)-1]
	}
	return nil
}

// cursorsOf makes the cursors of rows, reading the values of expression
// keys from the database.
func (w *walk[T]) cursorsOf(s *schema.Schema, rows []T, out []string) error {
	exprs, err := w.exprValues(s, rows)
	if err != nil {
		return err
	}
	sg := w.c.signer()
	m := sg.get()
	defer sg.put(m)
	for i := range rows {
		var e []any
		if exprs != nil {
			e = exprs[i]
		}
		row := reflect.ValueOf(&rows[i]).Elem()
		payload, err := appendRow(w.db.Statement.Context, m.buf[:0], s, s == w.result, w.keys, row, e, w.now.Unix())
		if err != nil {
			return err
		}
		out[i] = m.seal(payload, w.spec)
	}
	return nil
}

// CursorOf returns the cursor of row in a listing of db sorted by order, as
// PaginateCursor would issue it: pass it as After to continue after row, or
// as Before to page back from it. Use it for links to "the page after this
// item". opts must carry the same cursor key as the listing.
func CursorOf[T any](db *gorm.DB, order []Order, row T, opts ...Option) (string, error) {
	w, err := newWalk[T](db, newConfig(opts), order)
	if err != nil {
		return "", err
	}
	s, err := w.resultSchema()
	if err != nil {
		return "", err
	}
	out := make([]string, 1)
	err = w.cursorsOf(s, []T{row}, out)
	return out[0], err
}
