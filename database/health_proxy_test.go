package database_test

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// faultProxy is a TCP proxy in front of a real server that a test can turn
// into a server that went away (connections refused) or one that hangs
// (connections accepted, nothing ever answered).
type faultProxy struct {
	ln     net.Listener
	target string
	hung   atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

// newFaultProxy forwards a free port of 127.0.0.1 to target until the test
// ends.
func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

// hang makes the proxy swallow every byte, both ways, on the connections it
// has and those it accepts from now on.
func (p *faultProxy) hang() { p.hung.Store(true) }

// refuse closes the listener and every connection: the port refuses
// connections from now on.
func (p *faultProxy) refuse() { p.close() }

func (p *faultProxy) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// track records c for close; false when the proxy is already closed.
func (p *faultProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns = append(p.conns, c)
	return true
}

func (p *faultProxy) accept() {
	for {
		client, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil || !p.track(client) {
			continue
		}
		if p.hung.Load() {
			p.wg.Go(func() { p.pump(client, nil) })
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil || !p.track(server) {
			_ = client.Close()
			continue
		}
		p.wg.Go(func() { p.pump(client, server) })
		p.wg.Go(func() { p.pump(server, client) })
	}
}

// pump copies src to dst until either is closed, dropping what it reads
// while the proxy hangs (or always, when dst is nil).
func (p *faultProxy) pump(src, dst net.Conn) {
	if dst != nil {
		defer dst.Close()
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		if dst == nil || p.hung.Load() {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}
