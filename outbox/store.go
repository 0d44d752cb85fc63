package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/gormext/gormext/txctx"
)

// Store adds messages to one outbox table. The zero value is not usable:
// make one with New. A Store is safe for concurrent use.
type Store struct {
	cfg config
	err error // an invalid option, reported by Add
}

// defaultStore serves the package-level Add.
var defaultStore = New()

// New returns a Store for the table named by WithTable (default
// DefaultTable), with the limits of WithMaxPayload and WithoutNotify.
func New(opts ...Option) *Store {
	s := &Store{cfg: newConfig(opts)}
	s.err = validTable(s.cfg.table)
	return s
}

// Add stores msg in the outbox table DefaultTable, in the transaction of
// ctx; see Store.Add.
func Add(ctx context.Context, msg Message) error { return defaultStore.Add(ctx, msg) }

// Add stores msg in the transaction of ctx: it is written with the
// transaction's other messages in one statement just before COMMIT (see
// txctx.BeforeCommit), so it exists if and only if the transaction
// commits. A message added in a savepoint (a nested txctx.Run) that rolls
// back is dropped with it.
//
// Add sets the ID (a random UUID) when msg has none, and CreatedAt. It
// refuses, storing nothing: a msg outside a transaction (ErrNoTransaction),
// an invalid topic (ErrInvalidTopic), key or ID (ErrInvalidKey), a payload
// too large (ErrPayloadTooLarge), invalid headers (ErrInvalidHeader).
// Messages with the same key are published in the order they were added,
// across transactions in the order of their commits.
func (s *Store) Add(ctx context.Context, msg Message) error {
	if s.err != nil {
		return s.err
	}
	if !txctx.InTransaction(ctx) {
		return ErrNoTransaction
	}
	if err := validate(&msg, s.cfg.maxPayload); err != nil {
		return err
	}
	row, err := s.row(msg)
	if err != nil {
		return err
	}
	err = txctx.BeforeCommit(ctx, s, row, s.flush)
	if errors.Is(err, txctx.ErrNoTransaction) {
		return ErrNoTransaction
	}
	return err
}

// row is a message as the table stores it.
type row struct {
	Seq       int64
	ID        string
	Topic     string
	Key       string
	Payload   []byte
	Headers   string
	CreatedAt int64 // Unix microseconds
	Attempts  int
	LastError string // read by Dead only
}

func (s *Store) row(msg Message) (row, error) {
	if msg.ID == "" {
		msg.ID = uuid.NewString()
	}
	headers := ""
	if len(msg.Headers) > 0 {
		b, err := json.Marshal(msg.Headers)
		if err != nil {
			return row{}, fmt.Errorf("%w: %v", ErrInvalidHeader, err)
		}
		headers = string(b)
	}
	payload := msg.Payload
	if payload == nil {
		payload = []byte{}
	}
	return row{ID: msg.ID, Topic: msg.Topic, Key: msg.Key, Payload: payload, Headers: headers,
		CreatedAt: time.Now().UnixMicro()}, nil
}

// message is the row as published.
func (r *row) message() Message {
	m := Message{ID: r.ID, Topic: r.Topic, Key: r.Key, Payload: r.Payload, CreatedAt: time.UnixMicro(r.CreatedAt).UTC()}
	if r.Headers != "" {
		_ = json.Unmarshal([]byte(r.Headers), &m.Headers) // written by row
	}
	return m
}
