package amqp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// brokerURL is GORMEXT_TEST_AMQP_URL; the test is skipped when it is unset
// (CI always sets it).
func brokerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("GORMEXT_TEST_AMQP_URL")
	if u == "" {
		t.Skip("GORMEXT_TEST_AMQP_URL is not set (e.g. amqp://guest:guest@127.0.0.1:5672/)")
	}
	return u
}

// viaProxy is brokerURL with its host:port replaced by addr.
func viaProxy(t *testing.T, raw, addr string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

func brokerAddr(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func uniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// topology is an exchange and a queue bound to it with one routing key,
// made with plain amqp091 and deleted at cleanup.
type topology struct {
	url, exchange, queue, key string
	ch                        *amqp091.Channel
}

func newTopology(t testing.TB) *topology {
	t.Helper()
	u := brokerURL(t)
	conn, err := amqp091.Dial(u)
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	top := &topology{url: u, exchange: uniqueName("gormext-x"), queue: uniqueName("gormext-q"), key: "orders.created", ch: ch}
	if err := ch.ExchangeDeclare(top.exchange, "direct", false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(top.queue, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(top.queue, top.key, top.exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(top.queue, false, false, false)
		_ = ch.ExchangeDelete(top.exchange, false, false)
		_ = conn.Close()
	})
	return top
}

// drain gets every message in the queue (acking it), oldest first.
func (top *topology) drain(t *testing.T) []amqp091.Delivery {
	t.Helper()
	var got []amqp091.Delivery
	for {
		d, ok, err := top.ch.Get(top.queue, true)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return got
		}
		got = append(got, d)
	}
}

// count is how many messages the queue holds, ready or not.
func (top *topology) count(t *testing.T) int {
	t.Helper()
	q, err := top.ch.QueueDeclarePassive(top.queue, true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q.Messages
}

// publishRaw sends a message straight to the queue through the default
// exchange, as another service would.
func (top *topology) publishRaw(t *testing.T, p amqp091.Publishing) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := top.ch.PublishWithContext(ctx, "", top.queue, false, false, p); err != nil {
		t.Fatal(err)
	}
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
