package pagination

import (
	"slices"
	"sync"
	"sync/atomic"

	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// A keyset page resolves its order against the model's schema and writes
// the sort's cursor spec on every call; both depend only on the schema and
// the order, so they are kept per (schema, order) for orders of up to
// cachedKeys keys, in a cache of at most maxCached entries (sorts come
// from allow-lists, so a listing uses few).
const (
	cachedKeys = 4
	maxCached  = 1024
)

// keysID identifies a resolved order: the schema (one per model and
// naming strategy in GORM's schema cache) and the order's keys.
type keysID struct {
	s *schema.Schema
	n int
	o [cachedKeys]orderID
}

// orderID is an Order with its expression, if any, by value: Expression.Asc
// and Desc return a new pointer on each call, and equal expressions must
// meet in the cache.
type orderID struct {
	column           string
	desc, nullsFirst bool
	expr             Expression
}

// resolvedKeys are an order's keys, cursor spec, the keys reversed (for
// pages before a cursor) and the ORDER BY clause of each. They are shared:
// no caller changes them (settle copies).
type resolvedKeys struct {
	keys, back []key
	spec       string
	// order and backOrder are ORDER BY clauses, ready to set on a
	// statement, that write the text rendered for it (see render).
	order, backOrder clause.Clause
	text             atomic.Pointer[rendered]
}

var keyCache = struct {
	sync.RWMutex
	m map[keysID]*resolvedKeys
}{m: make(map[keysID]*resolvedKeys)}

// keysOf returns order resolved against s, from the cache when it has it.
func keysOf(s *schema.Schema, order []Order) (*resolvedKeys, error) {
	if len(order) == 0 || len(order) > cachedKeys {
		return resolveSpec(s, order)
	}
	id := keysID{s: s, n: len(order)}
	for i, o := range order {
		id.o[i] = orderID{column: o.Column, desc: o.Desc, nullsFirst: o.NullsFirst}
		if o.Expr != nil {
			id.o[i].expr = *o.Expr
		}
	}
	keyCache.RLock()
	r := keyCache.m[id]
	keyCache.RUnlock()
	if r != nil {
		return r, nil
	}
	r, err := resolveSpec(s, owned(order))
	if err != nil {
		return nil, err
	}
	keyCache.Lock()
	if len(keyCache.m) < maxCached {
		keyCache.m[id] = r
	}
	keyCache.Unlock()
	return r, nil
}

// owned returns order with each expression copied, so that the cached
// keys hold what the id says whatever the caller later does with its
// pointers.
func owned(order []Order) []Order {
	out := slices.Clone(order)
	for i, o := range out {
		if o.Expr != nil {
			e := *o.Expr
			out[i].Expr = &e
		}
	}
	return out
}

func resolveSpec(s *schema.Schema, order []Order) (*resolvedKeys, error) {
	keys, err := resolve(s, order)
	if err != nil {
		return nil, err
	}
	r := &resolvedKeys{keys: keys, back: reversed(keys), spec: specOf(s.Table, keys)}
	r.order = clause.Clause{Name: "ORDER BY", Expression: clause.OrderBy{Expression: orderExpr{r: r}}}
	r.backOrder = clause.Clause{Name: "ORDER BY", Expression: clause.OrderBy{Expression: orderExpr{r: r, back: true}}}
	return r, nil
}
