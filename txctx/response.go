package txctx

import (
	"bytes"
	"net/http"
)

// heldResponse is the http.ResponseWriter a handler gets inside Middleware:
// status, headers and body are held until the transaction has committed.
// It does not implement http.Flusher nor Unwrap: a response cannot be
// streamed before the commit that decides it.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newHeldResponse() *heldResponse { return &heldResponse{header: http.Header{}} }

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(p)
}

// code is the status the handler chose (200 when it wrote nothing).
func (h *heldResponse) code() int {
	if h.status == 0 {
		return http.StatusOK
	}
	return h.status
}

// sendTo writes the held response to w.
func (h *heldResponse) sendTo(w http.ResponseWriter) {
	dst := w.Header()
	for k, v := range h.header {
		dst[k] = v
	}
	w.WriteHeader(h.code())
	_, _ = w.Write(h.body.Bytes())
}
