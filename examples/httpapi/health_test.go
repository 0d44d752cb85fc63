package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// TestHealthz checks the health route: 200 with the default connection's
// figures, HEAD, 405 for other methods, and 503 naming the connection once
// the pool is closed.
func TestHealthz(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db, Config{})
		var report database.Report
		a.do("GET", "/healthz", nil).want(t, http.StatusOK, &report)
		if got := report.Connections[database.DefaultName]; report.Status != "ok" || !got.Reachable || got.Pool.MaxOpen == 0 {
			t.Errorf("report %+v, want ok with the default connection reachable and its pool", report)
		}
		if r := a.do("HEAD", "/healthz", nil); r.status != http.StatusOK || len(r.body) != 0 {
			t.Errorf("HEAD /healthz: %d %q, want 200 and no body", r.status, r.body)
		}
		if r := a.do("POST", "/healthz", nil); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST /healthz: %d Allow %q, want 405 with Allow GET, HEAD", r.status, r.header.Get("Allow"))
		}
		if err := database.Close(db); err != nil {
			t.Fatal(err)
		}
		r := a.do("GET", "/healthz", nil)
		if r.status != http.StatusServiceUnavailable {
			t.Fatalf("GET /healthz on a closed pool: %d %s, want 503", r.status, r.body)
		}
		var failed database.Report
		if err := json.Unmarshal(r.body, &failed); err != nil || len(failed.Failing) != 1 || failed.Failing[0] != database.DefaultName {
			t.Errorf("body %s (%v), want the default connection named as failing", r.body, err)
		}
	})
}
