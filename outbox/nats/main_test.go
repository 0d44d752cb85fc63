package nats_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serverURL is GORMEXT_TEST_NATS_URL; the test is skipped when it is unset
// (CI always sets it).
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("GORMEXT_TEST_NATS_URL")
	if u == "" {
		t.Skip("GORMEXT_TEST_NATS_URL is not set (e.g. nats://127.0.0.1:4222)")
	}
	return u
}

func serverAddr(t *testing.T, raw string) string {
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
	return prefix + "_" + hex.EncodeToString(b)
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// stream is a stream taking the subjects prefix.>, made with plain
// nats.go and deleted at cleanup.
type stream struct {
	url, name, prefix string
	nc                *natsgo.Conn
	js                jetstream.JetStream
	s                 jetstream.Stream
}

func newStream(t testing.TB) *stream {
	t.Helper()
	u := serverURL(t)
	nc, err := natsgo.Connect(u)
	if err != nil {
		t.Fatalf("connect %s: %v", u, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	name := uniqueName("GORMEXT")
	prefix := strings.ToLower(name)
	s, err := js.CreateStream(testContext(t), jetstream.StreamConfig{
		Name:       name,
		Subjects:   []string{prefix + ".>"},
		Storage:    jetstream.MemoryStorage,
		Duplicates: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = js.DeleteStream(ctx, name)
		nc.Close()
	})
	return &stream{url: u, name: name, prefix: prefix, nc: nc, js: js, s: s}
}

func (s *stream) subject(suffix string) string { return s.prefix + "." + suffix }

// stored is every message of the stream, oldest first.
func (s *stream) stored(t *testing.T) []*jetstream.RawStreamMsg {
	t.Helper()
	ctx := testContext(t)
	info, err := s.s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// publishRaw stores a message as another service would.
func (s *stream) publishRaw(t *testing.T, m *natsgo.Msg) {
	t.Helper()
	if _, err := s.js.PublishMsg(testContext(t), m); err != nil {
		t.Fatal(err)
	}
}
