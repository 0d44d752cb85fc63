package cutproxy_test

import (
	"bufio"
	"net"
	"testing"

	"github.com/gormext/gormext/internal/cutproxy"
)

// echoServer answers each line with the same line until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(c net.Conn, line string) (string, error) {
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		return "", err
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	return got, err
}

func TestCutClosesConnectionsAndRefusesUntilRestore(t *testing.T) {
	p := cutproxy.Start(t, echoServer(t))
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(c, "before"); err != nil || got != "before\n" {
		t.Fatalf("through the proxy: %q, %v", got, err)
	}

	p.Cut(t)
	if _, err := roundTrip(c, "during"); err == nil {
		t.Fatal("a connection open before the cut still works after it")
	}
	if c2, err := net.Dial("tcp", p.Addr()); err == nil {
		c2.Close()
		t.Fatal("the proxy accepted a connection while cut")
	}

	p.Restore(t)
	c3, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("after restore: %v", err)
	}
	defer c3.Close()
	if got, err := roundTrip(c3, "after"); err != nil || got != "after\n" {
		t.Fatalf("after restore: %q, %v", got, err)
	}
}

// batchServer answers, once it has read a line "end", every line read
// since its previous answer.
func batchServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r, answer := bufio.NewReader(c), ""
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if answer += line; line == "end\n" {
				if _, err := c.Write([]byte(answer)); err != nil {
					return
				}
				answer = ""
			}
		}
	}()
	return ln.Addr().String()
}

func TestTurnsCountsRoundTripsNotWrites(t *testing.T) {
	p := cutproxy.Start(t, batchServer(t))
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	send := func(lines ...string) {
		t.Helper()
		for _, line := range lines {
			if _, err := c.Write([]byte(line)); err != nil {
				t.Fatal(err)
			}
		}
		for range lines {
			if _, err := r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
	}
	send("end\n")
	send("end\n")
	if got := p.Turns(); got != 2 {
		t.Fatalf("two requests answered one by one: Turns() = %d, want 2", got)
	}
	send("one\n", "two\n", "end\n") // three writes, one answer
	if got := p.Turns(); got != 3 {
		t.Fatalf("three writes before one answer: Turns() = %d, want 3", got)
	}
}
