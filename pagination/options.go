package pagination

import "time"

// Defaults of the page size settings.
const (
	DefaultPageSize    = 20
	DefaultMaxPageSize = 100
)

// CountMode says how Paginate computes Total.
type CountMode int

const (
	// CountExact counts the rows of the filtered query (the default).
	CountExact CountMode = iota
	// CountNone skips counting: Total and TotalPages are -1. For large
	// tables where the count costs more than the page.
	CountNone
	// CountEstimate reads the row estimate of PostgreSQL's planner
	// (EXPLAIN (FORMAT JSON)) instead of counting; it is as fresh as the
	// table's statistics. On other databases it counts exactly.
	CountEstimate
)

// Option adjusts Paginate and PaginateCursor.
type Option func(*config)

type config struct {
	defaultSize int
	maxSize     int
	maxPage     int
	count       CountMode
	sign        *signer // nil: the process key
	ttl         time.Duration
}

func newConfig(opts []Option) config {
	c := config{defaultSize: DefaultPageSize, maxSize: DefaultMaxPageSize}
	for _, opt := range opts {
		opt(&c)
	}
	if c.maxSize < 1 {
		c.maxSize = DefaultMaxPageSize
	}
	if c.defaultSize < 1 || c.defaultSize > c.maxSize {
		c.defaultSize = min(DefaultPageSize, c.maxSize)
	}
	return c
}

// WithMaxPageSize sets the largest page size accepted (default 100); a
// larger PageSize or Limit is rejected with ErrInvalidPage, never clamped.
// Values below 1 keep the default.
func WithMaxPageSize(n int) Option { return func(c *config) { c.maxSize = n } }

// WithDefaultPageSize sets the page size used when PageSize or Limit is 0
// (default 20, and never above the maximum).
func WithDefaultPageSize(n int) Option { return func(c *config) { c.defaultSize = n } }

// WithMaxPage rejects offset pages beyond page n with ErrInvalidPage
// (default 0: no limit). A deep OFFSET makes the database read and discard
// every skipped row, so a client asking for page 1,000,000 of a large table
// costs a full scan; cap it, and offer keyset pages for deep listings.
func WithMaxPage(n int) Option { return func(c *config) { c.maxPage = n } }

// WithCount sets how Paginate computes Total (default CountExact).
func WithCount(mode CountMode) Option { return func(c *config) { c.count = mode } }

// WithCursorKey sets the HMAC-SHA256 key that signs and checks cursors. Use
// at least 32 random bytes, the same on every instance that serves the
// listing. Without it, a random key is generated once per process: cursors
// then stop working on restart and on other instances. Make the option
// once and reuse it: it keeps the key's HMAC state for every listing that
// uses it.
func WithCursorKey(key []byte) Option {
	if len(key) == 0 {
		return func(c *config) { c.sign = nil }
	}
	s := newSigner(append([]byte(nil), key...))
	return func(c *config) { c.sign = s }
}

// WithCursorTTL makes cursors older than d invalid (ErrInvalidPage). Zero,
// the default, means cursors do not expire.
func WithCursorTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }
