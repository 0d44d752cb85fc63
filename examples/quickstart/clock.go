package main

import (
	"sync/atomic"
	"time"
)

// tourClock is the clock injected into the hooks plugin: it stands still
// until the tour moves it, so every timestamp the tour prints is the same on
// every run.
type tourClock struct {
	micros atomic.Int64
}

func newTourClock(start time.Time) *tourClock {
	c := &tourClock{}
	c.micros.Store(start.UnixMicro())
	return c
}

// Now returns the clock's current time, in UTC.
func (c *tourClock) Now() time.Time { return time.UnixMicro(c.micros.Load()).UTC() }

// Advance moves the clock forward by d.
func (c *tourClock) Advance(d time.Duration) { c.micros.Add(d.Microseconds()) }
