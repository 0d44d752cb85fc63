package database

import (
	"encoding/json"
	"maps"
	"net/http"

	"gorm.io/gorm"
)

// HealthHandler returns the handler of a health route (readiness probe)
// over the named connections: GET or HEAD runs [Health] with the request's
// context and answers 200 with the [Report] as JSON when every connection
// answered, 503 naming the failing ones otherwise (HEAD: the status and
// headers only). Other methods get 405 with an Allow header. The response
// is never cached.
//
//	mux.Handle("GET /healthz", database.HealthHandler(conns.All()))
//
// The map is copied: connections added to it later are not checked.
//
//	{"status":"ok","connections":{"default":{"reachable":true,"latency_ms":0.4,
//	 "pool":{"open":2,"in_use":0,"idle":2,"max_open":15,"wait_count":0,
//	 "wait_duration_ms":0,"timeouts":0}}}}
func HealthHandler(dbs map[string]*gorm.DB, opts ...HealthOption) http.Handler {
	return healthHandler{cfg: newHealthConfig(opts), dbs: maps.Clone(dbs)}
}

type healthHandler struct {
	cfg healthConfig
	dbs map[string]*gorm.DB
}

// healthMethodError is the body of a 405.
type healthMethodError struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

// ServeHTTP implements http.Handler.
func (h healthHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeHealthJSON(w, r, http.StatusMethodNotAllowed,
			healthMethodError{Status: "error", Error: "method not allowed: use GET or HEAD"})
		return
	}
	report := h.cfg.check(r.Context(), h.dbs)
	status := http.StatusOK
	if !report.OK() {
		status = http.StatusServiceUnavailable
	}
	writeHealthJSON(w, r, status, report)
}

func writeHealthJSON(w http.ResponseWriter, r *http.Request, status int, body any) {
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_ = json.NewEncoder(w).Encode(body)
}
