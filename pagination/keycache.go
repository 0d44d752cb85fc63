package pagination

import (
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
// naming strategy in GORM's schema cache) and the order's keys, each
// expression by its canonical pointer (see canonical).
type keysID struct {
	s *schema.Schema
	n int
	o [cachedKeys]Order
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
	m     map[keysID]*resolvedKeys
	exprs map[Expression]*Expression // see canonical
}{m: make(map[keysID]*resolvedKeys), exprs: make(map[Expression]*Expression)}

// keysOf returns order resolved against s, from the cache when it has it.
func keysOf(s *schema.Schema, order []Order) (*resolvedKeys, error) {
	if len(order) == 0 || len(order) > cachedKeys {
		return resolveSpec(s, order)
	}
	id := keysID{s: s, n: len(order)}
	copy(id.o[:], order)
	for i, o := range order {
		if o.Expr != nil {
			if id.o[i].Expr = canonical(o.Expr); id.o[i].Expr == nil {
				return resolveSpec(s, order)
			}
		}
	}
	keyCache.RLock()
	r := keyCache.m[id]
	keyCache.RUnlock()
	if r != nil {
		return r, nil
	}
	r, err := resolveSpec(s, id.o[:id.n])
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

// canonical returns the cache's own copy of the expression e points to,
// one per distinct expression: Expression.Asc and Desc return a new
// pointer on each call, so equal orders meet in the cache only through
// it, and the caller may later change what its pointer holds. It returns
// nil when the cache holds maxCached expressions already.
func canonical(e *Expression) *Expression {
	keyCache.RLock()
	c := keyCache.exprs[*e]
	keyCache.RUnlock()
	if c != nil {
		return c
	}
	keyCache.Lock()
	defer keyCache.Unlock()
	if c = keyCache.exprs[*e]; c == nil && len(keyCache.exprs) < maxCached {
		own := *e
		c = &own
		keyCache.exprs[own] = c
	}
	return c
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
