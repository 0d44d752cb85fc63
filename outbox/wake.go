package outbox

import "sync"

// The in-process signal: a commit with messages wakes the relays of this
// process that serve its table.
var waiters struct {
	mu  sync.Mutex
	chs map[string]map[chan struct{}]struct{}
}

// subscribe registers a channel woken (without blocking) on every commit
// with messages in table; cancel removes it.
func subscribe(table string) (ch chan struct{}, cancel func()) {
	ch = make(chan struct{}, 1)
	waiters.mu.Lock()
	defer waiters.mu.Unlock()
	if waiters.chs == nil {
		waiters.chs = make(map[string]map[chan struct{}]struct{})
	}
	if waiters.chs[table] == nil {
		waiters.chs[table] = make(map[chan struct{}]struct{})
	}
	waiters.chs[table][ch] = struct{}{}
	return ch, func() {
		waiters.mu.Lock()
		defer waiters.mu.Unlock()
		delete(waiters.chs[table], ch)
	}
}

// wake signals the relays waiting on table.
func wake(table string) {
	waiters.mu.Lock()
	defer waiters.mu.Unlock()
	for ch := range waiters.chs[table] {
		notify(ch)
	}
}
