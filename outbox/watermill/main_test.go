package watermill_test

import (
	"testing"

	wm "github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newPubSub is an in-process Watermill pub/sub, closed at cleanup. With
// blocking, a publish returns once a subscriber acked the message.
func newPubSub(t *testing.T, blocking bool) *gochannel.GoChannel {
	t.Helper()
	ps := gochannel.NewGoChannel(gochannel.Config{Persistent: true, BlockPublishUntilSubscriberAck: blocking}, wm.NopLogger{})
	t.Cleanup(func() { _ = ps.Close() })
	return ps
}
