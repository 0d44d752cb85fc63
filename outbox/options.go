package outbox

import (
	"time"

	"github.com/gormext/gormext/txctx"
)

// Defaults of the options.
const (
	DefaultTable        = "outbox_messages"
	DefaultInboxTable   = "outbox_inbox"
	DefaultBatchSize    = 100
	DefaultMaxAttempts  = 10
	DefaultPollInterval = 5 * time.Second
	DefaultClaimTTL     = 30 * time.Second
	DefaultRetryBase    = 100 * time.Millisecond
	DefaultRetryMax     = time.Minute
	DefaultHandlerRetry = 5
)

// Option configures a Store, a Relay, the inbox and the handler wrappers;
// each takes the options that concern it and ignores the others.
type Option func(*config)

type config struct {
	table, inboxTable string
	maxPayload        int
	notify            bool
	batchSize         int
	maxAttempts       int
	pollInterval      time.Duration
	claimTTL          time.Duration
	retryBase         time.Duration
	retryMax          time.Duration
	retention         time.Duration
	retain            bool
	txOptions         []txctx.Option
	handlerRetry      int
}

func newConfig(opts []Option) config {
	c := config{
		table: DefaultTable, inboxTable: DefaultInboxTable, maxPayload: DefaultMaxPayload,
		notify: true, batchSize: DefaultBatchSize, maxAttempts: DefaultMaxAttempts,
		pollInterval: DefaultPollInterval, claimTTL: DefaultClaimTTL,
		retryBase: DefaultRetryBase, retryMax: DefaultRetryMax, handlerRetry: DefaultHandlerRetry,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithTable names the outbox table (Store, Relay, AutoMigrate); default
// DefaultTable. A plain identifier, optionally schema.table on PostgreSQL.
func WithTable(name string) Option { return func(c *config) { c.table = name } }

// WithInboxTable names the inbox table (Idempotent, AutoMigrate); default
// DefaultInboxTable.
func WithInboxTable(name string) Option { return func(c *config) { c.inboxTable = name } }

// WithMaxPayload sets the largest payload Add accepts, in bytes; default
// DefaultMaxPayload.
func WithMaxPayload(n int) Option { return func(c *config) { c.maxPayload = n } }

// WithoutNotify stops Add from sending a PostgreSQL NOTIFY with the
// transaction (default: sent). NOTIFY wakes relays in other processes at
// once; without it they find the messages at their next poll. Relays in
// the same process are woken either way.
func WithoutNotify() Option { return func(c *config) { c.notify = false } }

// WithBatchSize sets how many messages a Relay claims and publishes at
// once; default DefaultBatchSize.
func WithBatchSize(n int) Option { return func(c *config) { c.batchSize = max(n, 1) } }

// WithMaxAttempts sets after how many failed publications a message is
// moved to the dead state with its last error; default DefaultMaxAttempts.
func WithMaxAttempts(n int) Option { return func(c *config) { c.maxAttempts = max(n, 1) } }

// WithPollInterval sets how often an idle Relay looks for messages that no
// signal announced (written by another process without NOTIFY, or while
// its LISTEN connection was down); default DefaultPollInterval.
func WithPollInterval(d time.Duration) Option { return func(c *config) { c.pollInterval = d } }

// WithClaimTTL sets how long a Relay's claim on messages lasts; a relay
// that stops or dies while holding one leaves the messages to others once
// it expires. A publication is given half of it, so that it ends before
// the claim does. Default DefaultClaimTTL. On PostgreSQL, claims and
// retries are timed on the server's clock (read at each claim), so the
// clocks of the relays' hosts need not agree.
func WithClaimTTL(d time.Duration) Option { return func(c *config) { c.claimTTL = d } }

// WithRetryBackoff sets the wait before publishing a failed message again:
// base doubled at each failure, capped at max, with jitter (the wait is
// drawn between half and all of it). Defaults DefaultRetryBase,
// DefaultRetryMax.
func WithRetryBackoff(base, max time.Duration) Option {
	return func(c *config) { c.retryBase, c.retryMax = base, max }
}

// WithRetention keeps sent messages for d (state sent, with the time they
// were sent) before a Relay deletes them; by default they are deleted as
// soon as they are sent.
func WithRetention(d time.Duration) Option {
	return func(c *config) { c.retention, c.retain = d, true }
}

// WithTxOptions passes options to the txctx.Run of Transactional,
// Idempotent and TransactionalJob (after their default
// txctx.WithRetry(DefaultHandlerRetry)).
func WithTxOptions(opts ...txctx.Option) Option {
	return func(c *config) { c.txOptions = append(c.txOptions, opts...) }
}

// TableName returns the outbox table that opts name.
func TableName(opts ...Option) string { return newConfig(opts).table }
