package pagination

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// signer signs and checks cursors with one HMAC-SHA256 key. It keeps keyed
// HMAC states and scratch buffers for reuse, so that signing or checking a
// cursor allocates nothing of its own.
type signer struct {
	key  []byte
	pool sync.Pool // of *macState
}

// macState is a keyed HMAC and a buffer to build a cursor in.
type macState struct {
	mac     hash.Hash
	buf     []byte
	scratch []byte // the spec and its separator, as the MAC reads them
}

func newSigner(key []byte) *signer {
	s := &signer{key: key}
	s.pool.New = func() any { return &macState{mac: hmac.New(sha256.New, s.key)} }
	return s
}

func (s *signer) get() *macState { return s.pool.Get().(*macState) }

// put returns m to the pool; a buffer grown past 4 KiB is dropped.
func (s *signer) put(m *macState) {
	if cap(m.buf) > 2*MaxCursorLength {
		m.buf = nil
	}
	if cap(m.scratch) > 2*MaxCursorLength {
		m.scratch = nil
	}
	s.pool.Put(m)
}

// appendSum appends the signature of payload for the listing spec to dst.
func (m *macState) appendSum(dst []byte, spec string, payload []byte) []byte {
	m.mac.Reset()
	m.scratch = append(append(m.scratch[:0], spec...), 0)
	m.mac.Write(m.scratch)
	m.mac.Write(payload)
	return m.mac.Sum(dst)
}

// processSigner signs cursors when no key is configured (see processKey).
var processSigner = sync.OnceValue(func() *signer { return newSigner(processKey()) })

func (c config) signer() *signer {
	if c.sign != nil {
		return c.sign
	}
	return processSigner()
}
