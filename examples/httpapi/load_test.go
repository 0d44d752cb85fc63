package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// loadWorkers is how many clients the load test runs at once.
const loadWorkers = 32

// loadTime is how long the measured phase of TestLoad runs: SOAKTIME
// (a Go duration, set by make soak) or 5 s.
func loadTime(t *testing.T) time.Duration {
	if v := os.Getenv("SOAKTIME"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SOAKTIME=%q: %v", v, err)
		}
		return d
	}
	return 5 * time.Second
}

// TestLoad runs loadWorkers clients against the service over real HTTP for
// a bounded time, with a mix of creates, filtered listings, versioned
// updates (some of which go stale) and audit reads. It reports throughput,
// latency and errors by kind, then checks that every acknowledged write is
// in the database and no rejected one is, that every 409 stale_version
// produced exactly one "article.update_refused" entry (written by
// txctx.RunNew after the request rolled back) and nothing else did, that
// every committed audit entry produced exactly one after-commit event, that the heap after the run is
// within 10% of the heap after a warm-up, and that every goroutine ended.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		goroutinesAtStart := runtime.NumGoroutine()
		d := loadTime(t)
		// The bookkeeping is sized up front, so that its growth is not
		// taken for the service's: a generous bound on the writes.
		capacity := int((d+time.Second).Seconds()*3000) + 1<<12
		events := newEventLog(capacity)
		srv := httptest.NewServer(NewServer(db, Config{Logger: slog.New(slog.DiscardHandler), AfterCommit: events.add}))
		transport := &http.Transport{MaxIdleConnsPerHost: loadWorkers, MaxConnsPerHost: loadWorkers}
		l := &loadRun{url: srv.URL, client: &http.Client{Transport: transport, Timeout: 30 * time.Second}, led: newLoadLedger(capacity)}
		l.seedAuthors(t, 4)

		l.run(time.Second) // warm-up: pools, caches, the tables' first pages
		heapWarm := heapAfterGC()
		st := l.run(d)
		st.report(t, db.Dialector.Name(), d)
		st = loadStats{}
		heapEnd := heapAfterGC()

		srv.Close() // waits for every request, and so for every after-commit callback
		transport.CloseIdleConnections()
		l.led.check(t, db, events)
		checkHeap(t, heapWarm, heapEnd)
		waitGoroutines(t, goroutinesAtStart)
	})
}

// loadRun is one load test's client side.
type loadRun struct {
	phase  int // counts the calls of run, for unique titles
	url    string
	client *http.Client
	led    *loadLedger
}

// loadStats are the figures of one phase.
type loadStats struct {
	requests  int
	latencies []time.Duration
	outcomes  map[string]int // "PATCH 409 stale_version", "GET 200", ...
}

// run has loadWorkers workers send requests for d and returns what they
// saw.
func (l *loadRun) run(d time.Duration) loadStats {
	deadline := time.Now().Add(d)
	l.phase++
	results := make(chan loadStats, loadWorkers)
	var wg sync.WaitGroup
	for w := range loadWorkers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			st := loadStats{outcomes: map[string]int{}}
			for n := 0; time.Now().Before(deadline); n++ {
				l.step(rng, writeKey(l.phase, w, n), &st)
			}
			results <- st
		})
	}
	wg.Wait()
	close(results)
	all := loadStats{outcomes: map[string]int{}}
	for st := range results {
		all.requests += st.requests
		all.latencies = append(all.latencies, st.latencies...)
		for k, v := range st.outcomes {
			all.outcomes[k] += v
		}
	}
	return all
}

// step sends one operation of the mix: 30% creates, 25% article listings
// (offset and keyset, filtered), 35% read-then-update with the version read
// (a stale one is recorded with txctx.RunNew after its rollback), 10% audit
// listings of updates or refused updates.
func (l *loadRun) step(rng *rand.Rand, key uint64, st *loadStats) {
	switch p := rng.IntN(100); {
	case p < 30:
		req := CreateArticleRequest{AuthorID: l.led.author(rng), Title: titleOf(key), Status: []string{"draft", "published"}[rng.IntN(2)]}
		var out Article
		status, err := l.send(st, "POST", "/articles", req, &out)
		l.led.created(key, out.ID, status, err)
	case p < 55:
		paths := []string{
			fmt.Sprintf("/articles?status_in=published&title_icontains=w%d+&sort=-created_at,title&page_size=20", rng.IntN(loadWorkers)),
			"/articles?author_id=" + l.led.author(rng).String() + "&page=2&page_size=10",
			fmt.Sprintf("/articles/feed?limit=20&status_in=draft&created_from=%s", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)),
		}
		_, _ = l.send(st, "GET", paths[rng.IntN(len(paths))], nil, nil)
	case p < 90:
		id, ok := l.led.article(rng)
		if !ok {
			return
		}
		var cur Article
		if status, err := l.send(st, "GET", "/articles/"+id.String(), nil, &cur); err != nil || status != http.StatusOK {
			return
		}
		body := "edit " + titleOf(key)
		status, code, err := l.sendCode(st, "PATCH", "/articles/"+id.String(), UpdateArticleRequest{Version: cur.Version, Body: &body}, nil)
		l.led.updated(id, status, code, err)
	default:
		action := []string{"article.updated", "article.update_refused"}[rng.IntN(2)]
		_, _ = l.send(st, "GET", "/audit?action="+action+"&page_size=10", nil, nil)
	}
}

// send makes one request, records its latency and outcome, and decodes a
// 2xx body into out. The error is a transport error: the outcome is
// unknown to the client.
func (l *loadRun) send(st *loadStats, method, path string, body, out any) (int, error) {
	status, _, err := l.sendCode(st, method, path, body, out)
	return status, err
}

// sendCode is send that also returns the error code of a non-2xx answer.
func (l *loadRun) sendCode(st *loadStats, method, path string, body, out any) (int, string, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			panic(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, l.url+path, r)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := l.client.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	st.requests++
	st.latencies = append(st.latencies, time.Since(start))
	if err != nil {
		st.outcomes[method+" transport error: "+kindOf(err)]++
		return 0, "", err
	}
	key := fmt.Sprintf("%s %d", method, res.StatusCode)
	var e ErrorBody
	if res.StatusCode >= 300 {
		_ = json.Unmarshal(data, &e)
		key += " " + e.Error.Code
	} else if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			st.outcomes[method+" undecodable 2xx body"]++
			return 0, "", err
		}
	}
	st.outcomes[key]++
	return res.StatusCode, e.Error.Code, nil
}

// writeKey names the n-th operation of worker w in a phase; titleOf is
// the title of the article it creates.
func writeKey(phase, w, n int) uint64 { return uint64(phase)<<56 | uint64(w)<<40 | uint64(n) }

func titleOf(key uint64) string {
	return fmt.Sprintf("load p%d w%d n%d", key>>56, key>>40&0xffff, key&(1<<40-1))
}

// kindOf shortens a transport error for the tallies.
func kindOf(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// seedAuthors creates n authors through the API.
func (l *loadRun) seedAuthors(t *testing.T, n int) {
	t.Helper()
	st := loadStats{outcomes: map[string]int{}}
	for i := range n {
		var a Author
		status, err := l.send(&st, "POST", "/authors", CreateAuthorRequest{Name: fmt.Sprintf("Load %d", i), Email: fmt.Sprintf("load%d@example.com", i)}, &a)
		if err != nil || status != http.StatusCreated {
			t.Fatalf("seeding author %d: status %d, %v", i, status, err)
		}
		l.led.authors = append(l.led.authors, a.ID)
	}
}

// report logs the figures of the measured phase and fails on answers the
// API must never give under load (a 500 or an undecodable body).
func (st loadStats) report(t *testing.T, db string, d time.Duration) {
	t.Helper()
	slices.Sort(st.latencies)
	pct := func(p float64) time.Duration {
		if len(st.latencies) == 0 {
			return 0
		}
		return st.latencies[int(p*float64(len(st.latencies)-1))]
	}
	t.Logf("%s: %d workers, %v: %d requests, %.0f req/s, p50 %v, p99 %v",
		db, loadWorkers, d, st.requests, float64(st.requests)/d.Seconds(), pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond))
	keys := make([]string, 0, len(st.outcomes))
	for k := range st.outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  %-40s %d", k, st.outcomes[k])
		if strings.Contains(k, " 500") || strings.Contains(k, "undecodable") {
			t.Errorf("%d responses %q under load", st.outcomes[k], k)
		}
	}
}

// eventLog counts the after-commit events by audit entry.
type eventLog struct {
	mu     sync.Mutex
	counts map[uuid.UUID]int
}

func newEventLog(capacity int) *eventLog {
	return &eventLog{counts: make(map[uuid.UUID]int, capacity)}
}

func (e *eventLog) add(_ context.Context, entry AuditEntry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts[entry.ID]++
}

// heapAfterGC returns the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// checkHeap fails when the heap grew by more than 10% (and more than
// 1 MiB, so that a small heap's noise is not taken for a leak) between the
// warm-up and the end of the run.
func checkHeap(t *testing.T, warm, end uint64) {
	t.Helper()
	growth := float64(end)/float64(warm) - 1
	t.Logf("heap after warm-up %.1f MiB, after the run %.1f MiB (%+.1f%%)", float64(warm)/(1<<20), float64(end)/(1<<20), 100*growth)
	if growth > 0.10 && end-warm > 1<<20 {
		t.Errorf("heap grew %.1f%% (%.1f MiB) during the run: a leak?", 100*growth, float64(end-warm)/(1<<20))
	}
}

// waitGoroutines waits up to 10 s for the goroutine count to fall back to
// want, and fails with the stacks if it does not.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines 10 s after the run, %d at its start:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
