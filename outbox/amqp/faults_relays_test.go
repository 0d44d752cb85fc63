package amqp_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
	"github.com/gormext/gormext/outbox"
	"github.com/gormext/gormext/outbox/amqp"
)

// The environment of a relay process (TestHelperRelayProcess).
const (
	envRelayDSN      = "GORMEXT_FAULT_RELAY_DSN"
	envRelayAMQP     = "GORMEXT_FAULT_RELAY_AMQP"
	envRelayExchange = "GORMEXT_FAULT_RELAY_EXCHANGE"
	envRelayTable    = "GORMEXT_FAULT_RELAY_TABLE"
)

// faultClaimTTL is the relays' claim: a killed relay's messages go to
// another relay this long after its last claim.
const faultClaimTTL = 2 * time.Second

// relayOptions are the options of the relays of TestOutboxFaults.
func relayOptions(table string) []outbox.Option {
	return []outbox.Option{outbox.WithTable(table), outbox.WithBatchSize(16), outbox.WithClaimTTL(faultClaimTTL),
		outbox.WithPollInterval(200 * time.Millisecond), outbox.WithRetryBackoff(10*time.Millisecond, 200*time.Millisecond),
		outbox.WithMaxAttempts(1 << 20)}
}

// TestHelperRelayProcess is not a test: TestOutboxFaults runs the test
// binary with -test.run=^TestHelperRelayProcess$ and the environment above
// to have a relay in a process of its own, which it kills with SIGKILL.
// The relay runs until its standard input closes (the test ended) or it is
// killed.
func TestHelperRelayProcess(t *testing.T) {
	dsn := os.Getenv(envRelayDSN)
	if dsn == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	db := openRelayDB(ctx, dsn)
	if db == nil {
		return
	}
	pub := amqp.NewPublisher(amqp.Config{URL: os.Getenv(envRelayAMQP), Exchange: os.Getenv(envRelayExchange), DialTimeout: 2 * time.Second})
	defer pub.Close()
	_ = outbox.NewRelay(db, announcing{pub}, relayOptions(os.Getenv(envRelayTable))...).Run(ctx)
	_ = database.Close(db)
}

// announcing writes a line to standard output as each Publish begins and
// ends, so that the test knows when a relay process is in the middle of a
// batch.
type announcing struct{ outbox.Publisher }

func (a announcing) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	fmt.Println(linePublishing)
	n, err := a.Publisher.Publish(ctx, msgs)
	fmt.Println(linePublished)
	return n, err
}

const (
	linePublishing = "publishing"
	linePublished  = "published"
)

// openRelayDB opens the relay's pool, trying again while the server is
// down (a restart), until ctx ends.
func openRelayDB(ctx context.Context, dsn string) *gorm.DB {
	for ctx.Err() == nil {
		octx, cancel := context.WithTimeout(ctx, 5*time.Second)
		db, err := database.Open(octx, database.Config{URL: dsn, PoolSize: 2, MaxOverflow: 2, PoolTimeout: 5 * time.Second})
		cancel()
		if err == nil {
			return db
		}
		slog.Warn("relay process: open", "error", err)
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// relayProc is a running relay process.
type relayProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	busy  atomic.Bool // between "publishing" and "published"
	done  chan struct{}
}

// watch follows the process's announcements until it exits, then waits
// for it.
func (p *relayProc) watch(out io.Reader) {
	defer close(p.done)
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		switch lines.Text() {
		case linePublishing:
			p.busy.Store(true)
		case linePublished:
			p.busy.Store(false)
		}
	}
	_ = p.cmd.Wait()
}

// relayFleet starts, kills and replaces relay processes.
type relayFleet struct {
	env   []string
	log   *os.File
	procs []*relayProc
	kills int
	busy  int // kills in the middle of a Publish
}

func newRelayFleet(t *testing.T, dsn, amqpURL, exchange, table string) *relayFleet {
	t.Helper()
	log, err := os.Create(t.TempDir() + "/relays.log")
	if err != nil {
		t.Fatal(err)
	}
	f := &relayFleet{log: log, env: append(os.Environ(), envRelayDSN+"="+dsn, envRelayAMQP+"="+amqpURL,
		envRelayExchange+"="+exchange, envRelayTable+"="+table)}
	t.Cleanup(func() {
		f.stopAll()
		if t.Failed() {
			t.Logf("relay processes' log (end):\n%s", tail(log.Name(), 4000))
		}
		_ = log.Close()
	})
	return f
}

// tail is the end of a file, at most n bytes.
func tail(name string, n int) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return err.Error()
	}
	return string(b[max(len(b)-n, 0):])
}

// start runs one more relay process.
func (f *relayFleet) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRelayProcess$", "-test.count=1")
	cmd.Env, cmd.Stderr = f.env, f.log
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start relay process: %v", err)
	}
	p := &relayProc{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	go p.watch(out)
	f.procs = append(f.procs, p)
}

// killOne kills a relay process with SIGKILL and starts a replacement.
// Every other time it waits up to 300 ms for one that is in the middle of
// a Publish (then a few random milliseconds more, the kill landing
// anywhere in the batch, or just after it, before the outcome is
// recorded); else it kills one at random, wherever it is.
func (f *relayFleet) killOne(t *testing.T) {
	t.Helper()
	i := rand.IntN(len(f.procs))
	if f.kills%2 == 0 {
		i = f.awaitBusy(300 * time.Millisecond)
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	}
	p := f.procs[i]
	if p.busy.Load() {
		f.busy++
	}
	f.procs = append(f.procs[:i], f.procs[i+1:]...)
	_ = p.cmd.Process.Kill()
	<-p.done
	_ = p.stdin.Close()
	f.kills++
	f.start(t)
}

// awaitBusy returns the index of a process in the middle of a Publish, or
// of a random one when none is within d.
func (f *relayFleet) awaitBusy(d time.Duration) int {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(200 * time.Microsecond) {
		for i, p := range f.procs {
			if p.busy.Load() {
				return i
			}
		}
	}
	return rand.IntN(len(f.procs))
}

// stopAll kills every relay process.
func (f *relayFleet) stopAll() {
	for _, p := range f.procs {
		_ = p.cmd.Process.Kill()
		<-p.done
		_ = p.stdin.Close()
	}
	f.procs = nil
}
