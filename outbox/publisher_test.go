package outbox_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/outbox"
)

// orderedPublisher records deliveries and notes when two Publish calls
// carry the same key at once, which the relays' claims must prevent.
type orderedPublisher struct {
	mu        sync.Mutex
	delivered []outbox.Message
	inFlight  map[string]bool
	overlaps  []string
	fail      func(outbox.Message) error
}

func (p *orderedPublisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	keys := p.enter(msgs)
	defer p.leave(keys)
	for i, m := range msgs {
		if p.fail != nil {
			if err := p.fail(m); err != nil {
				return i, err
			}
		}
		p.mu.Lock()
		p.delivered = append(p.delivered, m)
		p.mu.Unlock()
	}
	return len(msgs), nil
}

func (p *orderedPublisher) enter(msgs []outbox.Message) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inFlight == nil {
		p.inFlight = map[string]bool{}
	}
	var keys []string
	seen := map[string]bool{}
	for _, m := range msgs {
		if m.Key == "" || seen[m.Key] {
			continue
		}
		seen[m.Key] = true
		if p.inFlight[m.Key] {
			p.overlaps = append(p.overlaps, m.Key)
		}
		p.inFlight[m.Key] = true
		keys = append(keys, m.Key)
	}
	return keys
}

func (p *orderedPublisher) leave(keys []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		delete(p.inFlight, k)
	}
}

func (p *orderedPublisher) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.delivered)
}

// check verifies: no key published by two calls at once, every one of
// want messages published, none twice, and the messages of each writer
// in order within each key (IDs w<writer>-<i>[-suffix]).
func (p *orderedPublisher) check(t *testing.T, db *gorm.DB, table string, want int) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.overlaps) > 0 {
		t.Errorf("keys published by two relays at once: %q", p.overlaps)
	}
	seen := map[string]int{}
	last := map[string]string{} // key+writer → last ID
	for _, m := range p.delivered {
		seen[m.ID]++
		if seen[m.ID] > 1 {
			t.Errorf("%s published %d times", m.ID, seen[m.ID])
		}
		writer, _, _ := strings.Cut(m.ID, "-")
		lk := m.Key + "/" + writer
		if prev, ok := last[lk]; ok && prev >= m.ID {
			t.Errorf("key %s: %s published after %s", m.Key, m.ID, prev)
		}
		last[lk] = m.ID
	}
	if len(seen) != want {
		var left int64
		db.Raw("SELECT count(*) FROM " + table).Scan(&left)
		t.Errorf("published %d distinct messages, want %d (%d left in the table)", len(seen), want, left)
	}
}
