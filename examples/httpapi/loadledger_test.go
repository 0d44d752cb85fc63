package main

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// loadLedger files what the load test's clients were told about each
// write: a 2xx is acknowledged (the write must be in the database), any
// other status is rejected (it must not be), and a transport error leaves
// the outcome in doubt (excluded from both checks, counted).
type loadLedger struct {
	authors []uuid.UUID // set before the workers start; read-only after

	mu       sync.Mutex
	acked    map[uint64]uuid.UUID // key (titleOf) of an acknowledged create -> its id
	rejected map[uint64]int       // key of a rejected create -> status
	ids      []uuid.UUID          // acknowledged articles, for updates
	updates  map[uuid.UUID]int    // acknowledged updates per article
	stale    map[uuid.UUID]int    // updates answered 409 stale_version per article
	doubt    map[uuid.UUID]bool   // articles with an update in doubt
	inDoubt  int                  // creates and updates in doubt
}

// newLoadLedger returns a ledger with room for capacity writes.
func newLoadLedger(capacity int) *loadLedger {
	return &loadLedger{acked: make(map[uint64]uuid.UUID, capacity), rejected: map[uint64]int{},
		ids: make([]uuid.UUID, 0, capacity), updates: make(map[uuid.UUID]int, capacity),
		stale: make(map[uuid.UUID]int, capacity), doubt: map[uuid.UUID]bool{}}
}

// author returns one of the seeded authors.
func (l *loadLedger) author(rng *rand.Rand) uuid.UUID { return l.authors[rng.IntN(len(l.authors))] }

// article returns one of the acknowledged articles, if any. Picking among
// the 64 newest keeps several clients on the same articles, so that some
// updates go stale.
func (l *loadLedger) article(rng *rand.Rand) (uuid.UUID, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ids) == 0 {
		return uuid.Nil, false
	}
	from := max(0, len(l.ids)-64)
	return l.ids[from+rng.IntN(len(l.ids)-from)], true
}

func (l *loadLedger) created(key uint64, id uuid.UUID, status int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil:
		l.inDoubt++
	case status == http.StatusCreated:
		l.acked[key] = id
		l.ids = append(l.ids, id)
	default:
		l.rejected[key] = status
	}
}

func (l *loadLedger) updated(id uuid.UUID, status int, code string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil:
		l.inDoubt++
		l.doubt[id] = true
	case status == http.StatusOK:
		l.updates[id]++
	case status == http.StatusConflict && code == "stale_version":
		l.stale[id]++
	}
}

// check compares the ledger with the database and the after-commit events
// with the audit log.
func (l *loadLedger) check(t *testing.T, db *gorm.DB, events *eventLog) {
	t.Helper()
	var articles []Article
	if err := db.Find(&articles).Error; err != nil {
		t.Fatal(err)
	}
	byTitle := make(map[string]Article, len(articles))
	for _, a := range articles {
		byTitle[a.Title] = a
	}
	lost, phantom, wrongVersion := 0, 0, 0
	for key, id := range l.acked {
		title := titleOf(key)
		a, ok := byTitle[title]
		if !ok || a.ID != id {
			lost++
			t.Errorf("acknowledged create %q (id %s) is not in the database", title, id)
			continue
		}
		if !l.doubt[id] && a.Version != 1+int64(l.updates[id]) {
			wrongVersion++
			t.Errorf("article %s: version %d after %d acknowledged updates, want %d", id, a.Version, l.updates[id], 1+l.updates[id])
		}
	}
	for key, status := range l.rejected {
		if title := titleOf(key); byTitle[title].ID != uuid.Nil {
			phantom++
			t.Errorf("create %q was answered %d but is in the database", title, status)
		}
	}
	acknowledgedUpdates := 0
	for _, n := range l.updates {
		acknowledgedUpdates += n
	}
	t.Logf("ledger: %d creates acknowledged, %d rejected, %d updates acknowledged, %d calls in doubt; %d lost, %d phantom, %d wrong versions",
		len(l.acked), len(l.rejected), acknowledgedUpdates, l.inDoubt, lost, phantom, wrongVersion)
	l.checkAudit(t, db, events)
	l.checkRefused(t, db)
}

// checkRefused checks that every update answered 409 stale_version left
// exactly one "article.update_refused" entry for its article, committed by
// txctx.RunNew although the request rolled back, and that no other
// answer left one. An article with an update in doubt may have more
// entries than stale answers, never fewer.
func (l *loadLedger) checkRefused(t *testing.T, db *gorm.DB) {
	t.Helper()
	var rows []struct {
		EntityID uuid.UUID
		N        int
	}
	err := db.Model(&AuditEntry{}).Select("entity_id, count(*) AS n").
		Where("action = ?", "article.update_refused").Group("entity_id").Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	entries := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		entries[r.EntityID] = r.N
	}
	stale, missing, extra := 0, 0, 0
	for id, n := range l.stale {
		stale += n
		if entries[id] < n {
			missing += n - entries[id]
			t.Errorf("article %s: %d updates answered stale_version, %d article.update_refused entries", id, n, entries[id])
		}
	}
	recorded := 0
	for id, n := range entries {
		recorded += n
		if n > l.stale[id] && !l.doubt[id] {
			extra += n - l.stale[id]
			t.Errorf("article %s: %d article.update_refused entries, only %d updates answered stale_version", id, n, l.stale[id])
		}
	}
	t.Logf("refused updates: %d answered stale_version, %d article.update_refused entries; %d missing, %d unexplained", stale, recorded, missing, extra)
	if stale == 0 {
		t.Errorf("no update was answered stale_version: the mix did not exercise RunNew")
	}
}

// checkAudit checks that the audit log holds one entry per acknowledged
// write and that each entry produced exactly one after-commit event, and no
// event names an entry that is not there.
func (l *loadLedger) checkAudit(t *testing.T, db *gorm.DB, events *eventLog) {
	t.Helper()
	var entries []AuditEntry
	if err := db.Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	byAction := map[string]int{}
	missing, duplicated := 0, 0
	inLog := make(map[uuid.UUID]bool, len(entries))
	events.mu.Lock()
	defer events.mu.Unlock()
	for _, e := range entries {
		byAction[e.Action]++
		inLog[e.ID] = true
		switch n := events.counts[e.ID]; {
		case n == 0:
			missing++
		case n > 1:
			duplicated++
		}
	}
	orphans := 0
	for id := range events.counts {
		if !inLog[id] {
			orphans++
		}
	}
	t.Logf("audit: %d entries %v; after-commit events: %d entries, %d missing, %d duplicated, %d for entries not in the log",
		len(entries), byAction, len(events.counts), missing, duplicated, orphans)
	if missing+duplicated+orphans > 0 {
		t.Errorf("after-commit events: %d missing, %d duplicated, %d for rolled-back entries; want one per committed entry", missing, duplicated, orphans)
	}
	if l.inDoubt == 0 {
		updates := 0
		for _, n := range l.updates {
			updates += n
		}
		if byAction["article.created"] != len(l.acked) || byAction["article.updated"] != updates {
			t.Errorf("audit log: %d article.created and %d article.updated entries; acknowledged: %d creates, %d updates",
				byAction["article.created"], byAction["article.updated"], len(l.acked), updates)
		}
	}
}
