package database_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/internal/testdb"
)

// lagProxy forwards TCP connections to a server; while lagging, what the
// connections open at the time send towards the server is held back, as a
// slow link holds a large batch, while new connections (a cancel request)
// go through at once.
type lagProxy struct {
	addr    string
	mu      sync.Mutex
	gates   []chan struct{} // one per lagged connection, closed to release it
	open    []chan struct{}
	arrived chan struct{} // something sent while lagging
}

func startLagProxy(t *testing.T, target string) *lagProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &lagProxy{addr: ln.Addr().String(), arrived: make(chan struct{}, 1)}
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			t.Cleanup(func() { client.Close(); server.Close() })
			gate := make(chan struct{})
			close(gate)
			p.mu.Lock()
			p.open = append(p.open, gate)
			i := len(p.open) - 1
			p.mu.Unlock()
			go p.pipe(server, client, i)
			go func() { _, _ = io.Copy(client, server); client.Close() }()
		}
	}()
	return p
}

func (p *lagProxy) pipe(dst, src net.Conn, i int) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.open[i]
			p.mu.Unlock()
			select {
			case <-gate:
			default:
				select {
				case p.arrived <- struct{}{}:
				default:
				}
				<-gate
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

// lag holds back what the connections open now send, until the returned
// function is called.
func (p *lagProxy) lag() (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var gates []chan struct{}
	for i := range p.open {
		g := make(chan struct{})
		p.open[i] = g
		gates = append(gates, g)
	}
	return func() {
		for _, g := range gates {
			close(g)
		}
	}
}

// TestAtCommitCancelOvertakingTheBatch: the context of a held statement
// ends while the COMMIT's batch is still on its way to the server, and the
// cancel request, on a connection of its own, overtakes it: the server
// ignores a cancel request that finds it waiting for input. The batch then
// arrives and its statement waits for a lock. Commit must still end
// without waiting for that lock, with the context's error, and nothing
// committed.
func TestAtCommitCancelOvertakingTheBatch(t *testing.T) {
	var proxy *lagProxy
	db := oneConn(t, testdb.Through(func(addr string) string {
		proxy = startLagProxy(t, addr)
		return proxy.addr
	}))
	unlock := holdLock(t)
	unlocked := false
	defer func() {
		if !unlocked {
			unlock()
		}
	}()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := cancellableCommitNext()
	defer cancel()
	if _, err := tx.ExecContext(ctx, database.AtCommit+"SELECT pg_advisory_xact_lock(4242)"); err != nil {
		t.Fatal(err)
	}
	release := proxy.lag()
	done := make(chan error, 1)
	go func() { done <- tx.Commit() }()
	<-proxy.arrived         // the batch is on its way
	cancel()                // the cancel request goes at once
	time.Sleep(time.Second) // and reaches a server waiting for input
	release()               // the batch arrives: its statement waits for the lock
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		unlock()
		unlocked = true
		err = <-done
		t.Fatalf("Commit waited for the lock after its statement's context ended (then returned %v)", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit whose statement's context ended: %v, want context.Canceled", err)
	}
	wantRows(t, db, 0, "rows from a working pool")
}
