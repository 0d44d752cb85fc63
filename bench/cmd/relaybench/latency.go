package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// latency runs each contender, one after the other, under a steady
// offered load of one message per transaction, for -latency-rounds
// rounds.
func latency(ctx context.Context, f *fixture, s settings) error {
	total := int(float64(s.rate) * s.duration.Seconds())
	fmt.Printf("\n### Latency: %d transactions/s of one message each for %v (%d messages, %d producers), COMMIT to broker confirm\n\n",
		s.rate, s.duration, total, s.producers)
	fmt.Println("| round | contender | achieved rate | transaction p50 / p99 | commit-to-confirm p50 | p99 | max | publisher calls |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|")
	cs := []contender{gormextContender(true), gormextContender(false), watermillContender()}
	if s.natsURL != "" {
		cs = append(cs, gormextNATSContender())
	}
	// The contenders take turns, the first one changing every round.
	for r := range s.latencyRounds {
		for j := range cs {
			c := cs[(r+j)%len(cs)]
			l, err := steady(ctx, f, s, c, total)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			fmt.Printf("| %d | %s | %.0f/s | %v / %v | %v | %v | %v | %d |\n", r+1, c.name, l.achieved, l.tx50, l.tx99, l.p50, l.p99, l.max, l.calls)
		}
	}
	return nil
}

type latencies struct {
	achieved      float64
	tx50, tx99    time.Duration // the producer's transactions
	p50, p99, max time.Duration
	calls         int
}

func steady(ctx context.Context, f *fixture, s settings, c contender, total int) (r latencies, err error) {
	l, err := c.lane(ctx, f, s)
	if err != nil {
		return r, err
	}
	defer func() { _ = l.cleanup(context.WithoutCancel(ctx)) }()
	rec := newRecorder(total)
	stop, err := l.start(ctx, rec)
	if err != nil {
		return r, err
	}
	msgs := make([]msg, total)
	for i := range msgs {
		msgs[i] = newMsg(i, s.keys)
	}
	committed, took, elapsed, err := produce(ctx, l, msgs, s)
	if err == nil {
		err = rec.wait(ctx, time.Minute)
	}
	stop()
	if err != nil {
		return r, err
	}
	lat := make([]time.Duration, total)
	for i, m := range msgs {
		at, ok := rec.ackedAt(m.id)
		if !ok {
			return r, fmt.Errorf("message %s was not confirmed", m.id)
		}
		lat[i] = max(at.Sub(committed[i]), 0)
	}
	slices.Sort(lat)
	slices.Sort(took)
	return latencies{
		achieved: rate(total, elapsed),
		tx50:     took[total/2].Round(100 * time.Microsecond),
		tx99:     took[total*99/100].Round(100 * time.Microsecond),
		p50:      lat[total/2].Round(100 * time.Microsecond),
		p99:      lat[total*99/100].Round(100 * time.Microsecond),
		max:      lat[total-1].Round(100 * time.Microsecond),
		calls:    rec.publishCalls(),
	}, nil
}

// produce commits msgs one per transaction, message i at start + i/rate,
// shared among the producers; it returns when each COMMIT returned and
// how long each transaction took.
func produce(ctx context.Context, l lane, msgs []msg, s settings) (committed []time.Time, took []time.Duration, elapsed time.Duration, err error) {
	committed = make([]time.Time, len(msgs))
	took = make([]time.Duration, len(msgs))
	interval := time.Second / time.Duration(s.rate)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, s.producers)
	for w := range s.producers {
		wg.Go(func() {
			for i := w; i < len(msgs); i += s.producers {
				time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
				began := time.Now()
				if err := l.commit(ctx, msgs[i:i+1]); err != nil {
					errs[w] = err
					return
				}
				committed[i] = time.Now()
				took[i] = committed[i].Sub(began)
			}
		})
	}
	wg.Wait()
	return committed, took, time.Since(start), errors.Join(errs...)
}
