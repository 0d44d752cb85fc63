package nats

import (
	"time"

	natsgo "github.com/nats-io/nats.go"
)

// Connect dials url with the options this package suits best, followed by
// opts (which override them): reconnect for ever every half second, and
// no reconnect buffer, so that a publish while disconnected fails at once
// (nats.ErrReconnectBufExceeded) rather than after its PubAck timeout.
func Connect(url string, opts ...natsgo.Option) (*natsgo.Conn, error) {
	base := []natsgo.Option{
		natsgo.MaxReconnects(-1),
		natsgo.ReconnectWait(500 * time.Millisecond),
		natsgo.ReconnectBufSize(-1),
	}
	return natsgo.Connect(url, append(base, opts...)...)
}
