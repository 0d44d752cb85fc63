package outbox

import (
	"context"
	"slices"
	"sync"
)

// MemoryPublisher is a Publisher that keeps what it is given, for tests
// and examples. Fail, when set, decides per message whether the broker
// refuses it: Publish then stops there and returns that error. The zero
// value is ready to use.
type MemoryPublisher struct {
	// Fail, when not nil, is asked before each message is accepted.
	Fail func(Message) error

	mu   sync.Mutex
	msgs []Message
	wake chan struct{}
}

// Publish records msgs in order, up to the first that Fail refuses.
func (p *MemoryPublisher) Publish(ctx context.Context, msgs []Message) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		if p.Fail != nil {
			if err := p.Fail(m); err != nil {
				return i, err
			}
		}
		p.msgs = append(p.msgs, m)
	}
	if p.wake != nil {
		close(p.wake)
		p.wake = nil
	}
	return len(msgs), nil
}

// Messages returns a copy of what was published, in order.
func (p *MemoryPublisher) Messages() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

// WaitFor waits until at least n messages were published or ctx ends, and
// returns what was published.
func (p *MemoryPublisher) WaitFor(ctx context.Context, n int) ([]Message, error) {
	for {
		p.mu.Lock()
		if len(p.msgs) >= n {
			out := slices.Clone(p.msgs)
			p.mu.Unlock()
			return out, nil
		}
		if p.wake == nil {
			p.wake = make(chan struct{})
		}
		wake := p.wake
		p.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return p.Messages(), ctx.Err()
		}
	}
}
