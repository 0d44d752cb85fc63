package cutproxy

import (
	"errors"
	"net"
	"sync"
	"testing"
)

// Proxy forwards connections from Addr to a target server until it is cut
// or the test ends.
type Proxy struct {
	addr   string
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup

	turnMu  sync.Mutex
	turns   int               // round trips begun, see Turns
	replied map[net.Conn]bool // per client: the server spoke since it last did
}

// Start listens on a free port of 127.0.0.1 and forwards what it accepts
// to target; the proxy is closed when the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("cutproxy: listen: %v", err)
	}
	p := &Proxy{addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}, replied: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// Cut closes every connection and the listener: connecting to Addr is
// refused until Restore.
func (p *Proxy) Cut(t testing.TB) {
	t.Helper()
	p.cut()
}

// Restore listens on Addr again after a Cut.
func (p *Proxy) Restore(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("cutproxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() { p.accept(ln) })
}

func (p *Proxy) cut() {
	p.mu.Lock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept(ln net.Listener) {
	for {
		client, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		if !p.track(client, server) {
			continue
		}
		p.wg.Go(func() { p.pipe(client, server, func() { p.note(client, false) }) })
		p.wg.Go(func() { p.pipe(server, client, func() { p.note(client, true) }) })
	}
}

// track records both ends; false (and both closed) when the listener they
// came from was cut meanwhile.
func (p *Proxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		_ = a.Close()
		_ = b.Close()
		return false
	}
	p.conns[a] = struct{}{}
	p.conns[b] = struct{}{}
	return true
}

// Turns is the number of round trips begun through the proxy: the times a
// client sent something as the first thing, or after the server had sent
// something since the client last did. A request-response protocol client
// waits for the answer before it sends again, so the count is the number
// of round trips it waited for, however the bytes were cut into segments;
// what a client sends in one go without waiting (a pipeline) counts once.
func (p *Proxy) Turns() int {
	p.turnMu.Lock()
	defer p.turnMu.Unlock()
	return p.turns
}

// note records that bytes of client's connection were read: from the
// client, or from the server. It runs before they are forwarded, so the
// answer to a request is always noted after the request.
func (p *Proxy) note(client net.Conn, fromServer bool) {
	p.turnMu.Lock()
	defer p.turnMu.Unlock()
	replied, seen := p.replied[client]
	if !fromServer && (replied || !seen) {
		p.turns++
	}
	p.replied[client] = fromServer
}

// pipe copies src to dst, calling noted before it forwards each read,
// then closes both ends so that the peer of each sees the connection go.
func (p *Proxy) pipe(dst, src net.Conn, noted func()) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			noted()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
	p.turnMu.Lock()
	delete(p.replied, dst)
	delete(p.replied, src)
	p.turnMu.Unlock()
}
