package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gormext/gormext/database"
)

// Example serves the API on an in-memory SQLite database and sends it a few
// requests, the way its tests do.
func Example() {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer database.Close(db)
	if err := Migrate(context.Background(), db); err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(NewServer(db, Config{Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()

	send := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer res.Body.Close()
		var e ErrorBody
		if res.StatusCode < 400 || json.NewDecoder(res.Body).Decode(&e) != nil {
			fmt.Printf("%s %s: %d\n", method, path, res.StatusCode)
			return
		}
		fmt.Printf("%s %s: %d %s %v\n", method, path, e.Error.Status, e.Error.Code, e.Error.Fields)
	}
	send("POST", "/authors", `{"name": "Ada", "email": "ada@example.com"}`)
	send("POST", "/authors", `{"name": "Ada again", "email": "ada@example.com"}`)
	send("POST", "/authors", `{"name": "", "email": "nobody"}`)
	send("GET", "/articles?page_size=500", "")
	send("GET", "/articles?title_icontains=go&sort=-created_at", "")
	// Output:
	// POST /authors: 201
	// POST /authors: 409 conflict [{email unique  }]
	// POST /authors: 422 validation_failed [{name required  } {email email  }]
	// GET /articles?page_size=500: 400 invalid_parameter []
	// GET /articles?title_icontains=go&sort=-created_at: 200
}
