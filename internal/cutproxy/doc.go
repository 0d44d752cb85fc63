// Package cutproxy is a TCP proxy for tests of broker clients: it forwards
// a free port of 127.0.0.1 to a real server, and a test can cut it (every
// connection closed, new ones refused) and later restore it on the same
// port, to check that a client fails cleanly during the outage and
// reconnects after it, without ever restarting the shared server. It also
// counts the round trips clients wait for ([Proxy.Turns]), for tests that
// prove statements travel together.
//
//	p := cutproxy.Start(t, "127.0.0.1:5672")
//	url := "amqp://guest:guest@" + p.Addr() + "/"
//	p.Cut(t)     // connections closed, the port refuses
//	p.Restore(t) // the port accepts and forwards again
package cutproxy
