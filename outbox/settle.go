package outbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"
)

// settle records the outcome of publishing rows: the first n were
// accepted, rows[n] failed with err (when err is not nil), the rest were
// not tried. When the relay is stopping, rows[n] is released with the
// rest, no attempt counted. Only rows this relay still claims are touched.
func (r *Relay) settle(ctx context.Context, rows []row, n int, pubErr error, stopping bool, now time.Time) error {
	return r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if n > 0 {
			if err := r.markSent(tx, seqs(rows[:n]), now); err != nil {
				return err
			}
		}
		if n == len(rows) {
			return nil
		}
		if stopping {
			return r.release(tx, seqs(rows[n:]))
		}
		if err := r.markFailed(tx, rows[n], pubErr, now); err != nil {
			return err
		}
		if n+1 < len(rows) {
			return r.release(tx, seqs(rows[n+1:]))
		}
		return nil
	})
}

func (r *Relay) markSent(tx *gorm.DB, seqs []int64, now time.Time) error {
	if !r.cfg.retain {
		return tx.Exec("DELETE FROM "+r.cfg.table+" WHERE seq IN ? AND claimed_by = ?", seqs, r.id).Error
	}
	return tx.Exec("UPDATE "+r.cfg.table+" SET state = ?, sent_at = ?, claimed_until = 0, claimed_by = '' WHERE seq IN ? AND claimed_by = ?",
		stateSent, now.UnixMicro(), seqs, r.id).Error
}

// markFailed counts a failed attempt: the message waits for its next one
// (capped exponential backoff with jitter) or, out of attempts, is dead.
func (r *Relay) markFailed(tx *gorm.DB, m row, pubErr error, now time.Time) error {
	attempts := m.Attempts + 1
	state := statePending
	if attempts >= r.cfg.maxAttempts {
		state = stateDead
	}
	msg := pubErr.Error() // publish made one when the publisher gave none
	due := now.Add(r.backoff(attempts)).UnixMicro()
	return tx.Exec("UPDATE "+r.cfg.table+" SET state = ?, attempts = ?, due_at = ?, last_error = ?, claimed_until = 0, claimed_by = '' WHERE seq = ? AND claimed_by = ?",
		state, attempts, due, truncate(msg, 2000), m.Seq, r.id).Error
}

// release gives up the claim on rows not published.
func (r *Relay) release(tx *gorm.DB, seqs []int64) error {
	return tx.Exec("UPDATE "+r.cfg.table+" SET claimed_until = 0, claimed_by = '' WHERE seq IN ? AND claimed_by = ?", seqs, r.id).Error
}

// backoff is the wait after the given number of failed attempts.
func (r *Relay) backoff(attempts int) time.Duration {
	d := r.cfg.retryBase
	for i := 1; i < attempts && d < r.cfg.retryMax; i++ {
		d *= 2
	}
	d = min(d, r.cfg.retryMax)
	if d <= 1 {
		return d
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func seqs(rows []row) []int64 {
	out := make([]int64, len(rows))
	for i, m := range rows {
		out[i] = m.Seq
	}
	return out
}

// truncate makes an error message fit a text column: valid UTF-8, no NUL,
// at most about n bytes.
func truncate(s string, n int) string {
	if len(s) > n {
		s = fmt.Sprintf("%s… (%d bytes)", s[:n], len(s))
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
}
