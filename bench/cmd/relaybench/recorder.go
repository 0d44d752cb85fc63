package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// msg is one message as the benchmark produces it, the same for both
// contenders.
type msg struct {
	id, key string
	payload []byte
}

// lane is one contender's outbox feeding one destination of its own (a
// queue, a subject): a table (tables) messages are committed to and the
// process that moves them to the broker.
type lane interface {
	// commit stores msgs in one transaction.
	commit(ctx context.Context, msgs []msg) error
	// start runs the relay (the forwarder) until stop is called; the
	// messages the broker confirms are reported to rec.
	start(ctx context.Context, rec *recorder) (stop func(), err error)
	// depth is how many messages the destination holds.
	depth(ctx context.Context) (int, error)
	// cleanup drops the lane's tables and its destination.
	cleanup(ctx context.Context) error
}

// contender makes lanes.
type contender struct {
	name string
	lane func(ctx context.Context, f *fixture, s settings) (lane, error)
}

// recorder notes when the broker confirmed each message (the return of
// the publisher call that it confirmed), and says when target distinct
// messages were confirmed.
type recorder struct {
	mu     sync.Mutex
	acks   map[string]time.Time
	calls  int
	target int
	done   chan struct{}
}

func newRecorder(target int) *recorder {
	return &recorder{acks: make(map[string]time.Time, target), target: target, done: make(chan struct{})}
}

// ack records that the broker confirmed ids at t.
func (r *recorder) ack(t time.Time, ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	before := len(r.acks)
	for _, id := range ids {
		if _, seen := r.acks[id]; !seen {
			r.acks[id] = t
		}
	}
	if before < r.target && len(r.acks) >= r.target {
		close(r.done)
	}
}

// wait returns when target messages were confirmed, or fails after
// timeout saying how many were.
func (r *recorder) wait(ctx context.Context, timeout time.Duration) error {
	select {
	case <-r.done:
		return nil
	case <-time.After(timeout):
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Errorf("%d of %d messages confirmed after %v", len(r.acks), r.target, timeout)
}

func (r *recorder) ackedAt(id string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.acks[id]
	return t, ok
}

func (r *recorder) publishCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}
