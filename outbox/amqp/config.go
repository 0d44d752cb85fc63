package amqp

import (
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// Config says where and how to publish and consume. The zero value of each
// field but URL means its default.
type Config struct {
	// URL is the broker's AMQP URL, amqp://user:password@host:port/vhost.
	URL string
	// Exchange is the exchange messages are published to, with Topic as
	// routing key. Empty is the default exchange, which routes to the
	// queue named by the routing key.
	Exchange string
	// AMQP configures the connection (heartbeat, TLS, properties, Dial).
	// Default: amqp091's defaults, and a dial timeout of DialTimeout.
	AMQP amqp091.Config
	// DialTimeout bounds a TCP connect. Default 5s.
	DialTimeout time.Duration
	// InFlight is how many published messages may wait for their confirm
	// at once within one Publish. 1 publishes strictly one after the
	// other: a failed message is then never followed by a later one
	// reaching the broker in the same call. Default 0: the whole batch is
	// published before waiting, the fastest, and after a failure the later
	// messages of that call may have reached the broker too (they are not
	// counted, so the relay sends them again).
	InFlight int
	// ReconnectDelay is how long Consume waits before dialling again after
	// the connection or the channel dropped. Default 1s.
	ReconnectDelay time.Duration
	// Prefetch is how many unacknowledged deliveries the broker sends
	// Consume ahead of the handler (basic.qos). Default 10.
	Prefetch int
	// OnError, when set, is told of each error Consume recovers from: a
	// lost connection, a handler's error or panic (the message is nacked
	// and requeued). It must not block.
	OnError func(error)
}

func (c Config) dialTimeout() time.Duration {
	if c.DialTimeout > 0 {
		return c.DialTimeout
	}
	return 5 * time.Second
}

func (c Config) reconnectDelay() time.Duration {
	if c.ReconnectDelay > 0 {
		return c.ReconnectDelay
	}
	return time.Second
}

func (c Config) prefetch() int {
	if c.Prefetch > 0 {
		return c.Prefetch
	}
	return 10
}

func (c Config) onError(err error) {
	if c.OnError != nil {
		c.OnError(err)
	}
}

// dial connects to c.URL with c.AMQP, a dial timeout added when the
// caller set no Dial of its own.
func (c Config) dial() (*amqp091.Connection, error) {
	cfg := c.AMQP
	if cfg.Dial == nil {
		cfg.Dial = amqp091.DefaultDial(c.dialTimeout())
	}
	conn, err := amqp091.DialConfig(c.URL, cfg)
	if err != nil {
		return nil, &ConnError{Op: "dial", Err: err}
	}
	return conn, nil
}
