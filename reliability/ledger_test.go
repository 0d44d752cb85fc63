package reliability_test

import (
	"database/sql"
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/gormext/gormext/internal/pgfault"
	"github.com/gormext/gormext/txctx"
)

// ledger records what every transaction's caller was told.
type ledger struct {
	mu       sync.Mutex
	acked    map[int64]bool // Run returned nil: the row must be there
	rejected map[int64]bool // failed before COMMIT: the row must not be there
	unknown  map[int64]bool // COMMIT sent, answer lost: either way
	errs     map[string]int // errors by first line, for the report
}

func newLedger() *ledger {
	return &ledger{acked: map[int64]bool{}, rejected: map[int64]bool{}, unknown: map[int64]bool{}, errs: map[string]int{}}
}

// record files the outcome of the transaction that wrote id. committing
// says whether fn returned nil, so that Run went on to send COMMIT.
func (l *ledger) record(id int64, err error, committing bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.acked[id] = true
		return
	case committing && errors.Is(err, txctx.ErrCommit):
		l.unknown[id] = true
		l.errs["in doubt: "+kind(err)]++
	default:
		l.rejected[id] = true
		l.errs[kind(err)]++
	}
}

func (l *ledger) counts() (acked, rejected, unknown int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked), len(l.rejected), len(l.unknown)
}

// verify reads the ids present in table and checks them against the
// ledger: every acknowledged id present, no rejected one.
func (l *ledger) verify(t *testing.T, srv *pgfault.Server, table string) {
	t.Helper()
	present := map[int64]bool{}
	srv.Query(t, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		present[id] = true
		return err
	}, "SELECT id FROM "+table)
	l.mu.Lock()
	defer l.mu.Unlock()
	var lost, phantom []int64
	for id := range l.acked {
		if !present[id] {
			lost = append(lost, id)
		}
	}
	for id := range l.rejected {
		if present[id] {
			phantom = append(phantom, id)
		}
	}
	inDoubtCommitted := 0
	for id := range l.unknown {
		if present[id] {
			inDoubtCommitted++
		}
	}
	t.Logf("ledger: %d acknowledged, %d rejected, %d in doubt (%d of them committed); errors: %v",
		len(l.acked), len(l.rejected), len(l.unknown), inDoubtCommitted, l.errs)
	if len(lost) > 0 {
		sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
		t.Errorf("%d acknowledged rows lost, e.g. %v", len(lost), lost[:min(len(lost), 10)])
	}
	if len(phantom) > 0 {
		sort.Slice(phantom, func(i, j int) bool { return phantom[i] < phantom[j] })
		t.Errorf("%d rows of failed transactions committed, e.g. %v", len(phantom), phantom[:min(len(phantom), 10)])
	}
}
