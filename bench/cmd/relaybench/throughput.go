package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// drainTimeout bounds a throughput round.
const drainTimeout = 10 * time.Minute

// drained is one throughput round.
type drained struct {
	fill, drain time.Duration
	depth       int // messages in the queue afterwards
	calls       int // publisher calls
}

// throughput fills each contender's outbox and times its drain, the
// contenders taking turns (in an order that alternates every round).
func throughput(ctx context.Context, f *fixture, s settings) error {
	cs := []contender{gormextContender(true), watermillContender()}
	if s.natsURL != "" {
		cs = append(cs, gormextNATSContender())
	}
	fmt.Printf("\n### Throughput: %d messages committed first (%d per transaction, %d keys), then drained to RabbitMQ with publisher confirms\n\n",
		s.messages, s.perTx, s.keys)
	fmt.Println("| round | contender | fill (commit) | drain | messages/s | publisher calls | queue depth after |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|")
	times := make([][]time.Duration, len(cs))
	for r := range s.rounds {
		for j := range cs {
			i := (r + j) % len(cs)
			d, err := drainOnce(ctx, f, s, cs[i])
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", cs[i].name, r+1, err)
			}
			times[i] = append(times[i], d.drain)
			fmt.Printf("| %d | %s | %v | %v | %.0f | %d | %d |\n", r+1, cs[i].name, d.fill.Round(time.Millisecond),
				d.drain.Round(time.Millisecond), rate(s.messages, d.drain), d.calls, d.depth)
		}
	}
	fmt.Println("\n| contender | median drain | messages/s |\n|---|---:|---:|")
	medians := make([]time.Duration, len(cs))
	for i, c := range cs {
		medians[i] = median(times[i])
		fmt.Printf("| %s | %v | %.0f |\n", c.name, medians[i].Round(time.Millisecond), rate(s.messages, medians[i]))
	}
	fmt.Printf("\ngormext relay / Watermill forwarder throughput (RabbitMQ): %.2fx\n", float64(medians[1])/float64(medians[0]))
	return nil
}

func drainOnce(ctx context.Context, f *fixture, s settings, c contender) (d drained, err error) {
	l, err := c.lane(ctx, f, s)
	if err != nil {
		return d, err
	}
	defer func() { _ = l.cleanup(context.WithoutCancel(ctx)) }()
	start := time.Now()
	for i := 0; i < s.messages; i += s.perTx {
		batch := make([]msg, 0, s.perTx)
		for k := i; k < min(i+s.perTx, s.messages); k++ {
			batch = append(batch, newMsg(k, s.keys))
		}
		if err := l.commit(ctx, batch); err != nil {
			return d, fmt.Errorf("fill: %w", err)
		}
	}
	d.fill = time.Since(start)
	rec := newRecorder(s.messages)
	start = time.Now()
	stop, err := l.start(ctx, rec)
	if err != nil {
		return d, err
	}
	err = rec.wait(ctx, drainTimeout)
	d.drain = time.Since(start)
	stop()
	if err != nil {
		return d, err
	}
	d.calls = rec.publishCalls()
	if d.depth, err = l.depth(ctx); err != nil {
		return d, err
	}
	if d.depth < s.messages {
		return d, fmt.Errorf("the queue holds %d messages, %d were confirmed", d.depth, s.messages)
	}
	return d, nil
}

func newMsg(i, keys int) msg {
	return msg{id: uuid.NewString(), key: fmt.Sprintf("key-%d", i%keys), payload: fmt.Appendf(nil, `{"n":%d}`, i)}
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
